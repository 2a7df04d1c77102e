import type { OrderCreated } from "@shop/contracts";
import { PermanentError, required, requireOrderId } from "@shop/eventbus";
import { type InventoryDeps, reserveOrder } from "../use-cases/reserve-order.js";

export function onOrderCreated(deps: InventoryDeps) {
  return async (event: OrderCreated): Promise<void> => {
    const orderId = requireOrderId(event);
    const lines = event.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    if (lines.length === 0 || lines.some((line) => !line.sku || line.quantity < 1)) {
      throw new PermanentError("INVALID_EVENT", "order has no lines or a line without SKU or quantity");
    }
    const orderPlacedAtMs = Number(event.meta?.orderPlacedAtMs || event.meta?.occurredAtMs || 0n);
    await reserveOrder(deps, { orderId, customerId: required(event.customerId, "customer_id"), lines, orderPlacedAtMs });
  };
}
