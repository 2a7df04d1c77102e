import { BUCKETS } from "@shop/contracts";
import type { Bus, EventReader, JsonKv } from "@shop/eventbus";

/** What an Idempotency-Key is bound to: enough to (re)publish the order it created. */
export interface IdempotencyRecord {
  orderId: string;
  requestHash: string;
  customerId: string;
  items: { sku: string; quantity: number }[];
  createdAt: string;
}

export interface OrderStore {
  /** The streams, read back: orders are derived from their events (order-reader.ts). */
  events: EventReader;
  idempotency: JsonKv<IdempotencyRecord>;
}

export async function createOrderStore(bus: Bus): Promise<OrderStore> {
  return { events: bus.events(), idempotency: await bus.kv<IdempotencyRecord>(BUCKETS.orderIdempotency) };
}
