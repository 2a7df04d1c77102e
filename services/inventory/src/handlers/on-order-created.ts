import type { OrderCreated } from "@shop/contracts";
import { isFirstOfSubject, type MessageContext, PermanentError, required, requireOrderId } from "@shop/eventbus";
import { type InventoryDeps, reserveOrder } from "../use-cases/reserve-order.js";

export function onOrderCreated(deps: InventoryDeps) {
  return async (event: OrderCreated, ctx: MessageContext): Promise<void> => {
    const orderId = requireOrderId(event);
    const lines = event.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    if (lines.length === 0 || lines.some((line) => !line.sku || line.quantity < 1)) {
      throw new PermanentError("INVALID_EVENT", "order has no lines or a line without SKU or quantity");
    }
    const orderPlacedAtMs = Number(event.meta?.orderPlacedAtMs || event.meta?.occurredAtMs || 0n);
    // Stored as the first event on its subject (the server checked the fence) and never delivered
    // before: no decision for this order can exist yet, so there is nothing to read first.
    const decidedBefore = ctx.deliveryCount > 1 || !isFirstOfSubject(ctx.headers);
    await reserveOrder(deps, { orderId, customerId: required(event.customerId, "customer_id"), lines, orderPlacedAtMs }, { decidedBefore });
  };
}
