import type { PaymentFailed, PaymentSucceeded } from "@shop/contracts";
import { required, requireOrderId } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { type SettleOptions, settleReservation } from "../use-cases/settle-reservation.js";

/** A paid order's held units become sold; a failed payment releases them (the compensation). */
export function onPaymentSettled(store: InventoryStore, options: SettleOptions = {}) {
  return async (event: PaymentSucceeded | PaymentFailed): Promise<void> => {
    const outcome = event.$typeName === "shop.payments.v1.PaymentSucceeded" ? "SOLD" : "RELEASED";
    const holds = event.holds.map((held) => ({ sku: required(held.sku, "holds.sku"), holdId: held.holdId }));
    await settleReservation(store, requireOrderId(event), outcome, options, holds);
  };
}
