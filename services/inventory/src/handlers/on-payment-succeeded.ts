import type { PaymentSucceeded } from "@shop/contracts";
import { requireOrderId } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { type SettleOptions, settleReservation } from "../use-cases/settle-reservation.js";

export function onPaymentSucceeded(store: InventoryStore, options: SettleOptions = {}) {
  return async (event: PaymentSucceeded): Promise<void> => settleReservation(store, requireOrderId(event), "SOLD", options);
}
