import type { OrderCreated } from "@shop/contracts";
import { required, requireOrderId } from "@shop/eventbus";
import type { OrderStore } from "../adapters/order-store.js";
import { isTerminal, newOrder } from "../domain/order.js";

/** Projects the view from the stream: repairs a view missing after a crash between publish and write. */
export function onOrderCreated(store: OrderStore) {
  return async (event: OrderCreated): Promise<void> => {
    const orderId = requireOrderId(event);
    const createdAt = new Date(Number(event.meta?.occurredAtMs ?? 0n)).toISOString();
    const items = required(event.lines.length > 0 ? event.lines : null, "lines").map(({ sku, quantity }) => ({ sku, quantity }));
    // Usually POST /orders wrote the view moments ago and this read is answered from the cache.
    let view = (await store.orders.readOwn(orderId))?.value;
    if (!view) {
      const projected = newOrder(orderId, required(event.customerId, "customer_id"), items, createdAt);
      view = (await store.orders.create(orderId, projected)) ? projected : (await store.orders.get(orderId))?.value;
    }
    // Off the HTTP path: marks the order open unless it already finished (then the entry would only go stale).
    if (view && !isTerminal(view.status)) await store.open.add(orderId, new Date(createdAt));
  };
}
