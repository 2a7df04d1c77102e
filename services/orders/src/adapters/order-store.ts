import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv, OpenSet } from "@shop/eventbus";
import type { Order } from "../domain/order.js";

/** What an Idempotency-Key is bound to: enough to (re)publish the order it created. */
export interface IdempotencyRecord {
  orderId: string;
  requestHash: string;
  customerId: string;
  items: { sku: string; quantity: number }[];
  createdAt: string;
}

export interface OrderStore {
  orders: JsonKv<Order>;
  idempotency: JsonKv<IdempotencyRecord>;
  /** Orders not yet terminal, with their creation time. */
  open: OpenSet;
}

export async function createOrderStore(bus: Bus): Promise<OrderStore> {
  return {
    orders: await bus.kv<Order>(BUCKETS.orders),
    idempotency: await bus.kv<IdempotencyRecord>(BUCKETS.orderIdempotency),
    open: bus.openSet(),
  };
}
