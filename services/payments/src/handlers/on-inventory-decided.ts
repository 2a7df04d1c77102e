import type { InventoryRejected, InventoryReserved } from "@shop/contracts";
import { type MessageContext, PermanentError, required, requireOrderId } from "@shop/eventbus";
import { type ChargeOrderDeps, chargeOrder } from "../use-cases/charge-order.js";

/** Charges a reserved order; a rejected one (same subject: one decision per order) has nothing to pay. */
export function onInventoryDecided(deps: ChargeOrderDeps) {
  return async (event: InventoryReserved | InventoryRejected, ctx: MessageContext): Promise<void> => {
    if (event.$typeName === "shop.inventory.v1.InventoryRejected") return;
    const total = required(event.total, "total");
    const amountMinor = Number(total.amountMinor);
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0)
      throw new PermanentError("INVALID_EVENT", `invalid total ${total.amountMinor}`);
    await chargeOrder(deps, {
      orderId: requireOrderId(event),
      customerId: required(event.customerId, "customer_id"),
      amountMinor,
      currency: required(total.currency, "total.currency"),
      orderPlacedAtMs: Number(event.meta?.orderPlacedAtMs ?? 0n),
      reservedAtMs: ctx.storedAtMs,
      retried: ctx.deliveryCount > 1,
      holds: event.lines.map((line) => ({ sku: line.sku, holdId: line.holdId })),
    });
  };
}
