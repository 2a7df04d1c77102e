import type { PaymentFailed } from "@shop/contracts";
import { requireOrderId } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { type SettleOptions, settleReservation } from "../use-cases/settle-reservation.js";

/** Compensation: a failed payment releases the order's reserved stock. */
export function onPaymentFailed(store: InventoryStore, options: SettleOptions = {}) {
  return async (event: PaymentFailed): Promise<void> => settleReservation(store, requireOrderId(event), "RELEASED", options);
}
