import { RetryableError } from "@shop/eventbus";
import type { OrderStore } from "../adapters/order-store.js";
import { applyOrderEvent, isTerminal, type Order, type OrderEvent } from "../domain/order.js";
import type { OrderMetrics } from "../metrics.js";

export interface AdvanceOrderDeps {
  store: OrderStore;
  metrics: OrderMetrics;
  now?: () => Date;
}

/** Applies a saga event to the order view with compare-and-set; a no-op for duplicates and late events. */
export async function advanceOrder(
  { store, metrics, now = () => new Date() }: AdvanceOrderDeps,
  orderId: string,
  event: OrderEvent,
): Promise<Order> {
  let changed: Order | null = null;
  const stored = await store.orders.update(orderId, (current) => {
    // The projector has not written the view yet (a view write failed during a broker failover, and
    // the projector lags): retry with the consumer's exponential backoff, which outlasts the lag.
    if (!current) throw new RetryableError("ORDER_NOT_PROJECTED", `order ${orderId} is not projected yet`);
    changed = applyOrderEvent(current, event, now().toISOString());
    return changed;
  });
  const result = changed as Order | null;
  if (result && isTerminal(result.status)) {
    metrics.completed(result);
    await store.open.remove(orderId);
  }
  return stored as Order;
}
