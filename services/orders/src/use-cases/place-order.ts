import { createHash, randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, OrderCreatedSchema } from "@shop/contracts";
import type { Publish } from "@shop/eventbus";
import { HttpProblem } from "@shop/telemetry";
import type { IdempotencyRecord, OrderStore } from "../adapters/order-store.js";
import { newOrder, type Order } from "../domain/order.js";

export interface PlaceOrderInput {
  customerId: string;
  items: { sku: string; quantity: number }[];
}

export interface PlaceOrderDeps {
  store: OrderStore;
  publish: Publish;
  now?: () => Date;
  /** Told when the view could not be written after the order was accepted (the projector repairs it). */
  onViewWriteFailed?: (err: unknown, orderId: string) => void;
}

/**
 * Accepts an order. The ORDERS stream is the record: the event is published (and acknowledged by
 * JetStream) before anything else, then the KV view is written so a GET right after the 202 finds it;
 * after a crash between the two, the orders-on-order-created projector writes the view.
 */
export async function placeOrder(
  { store, publish, now = () => new Date(), onViewWriteFailed }: PlaceOrderDeps,
  input: PlaceOrderInput,
  idempotencyKey?: string,
): Promise<Order> {
  const requestHash = hashRequest(input);
  const fresh: IdempotencyRecord = {
    orderId: randomUUID(),
    requestHash,
    customerId: input.customerId,
    items: input.items,
    createdAt: now().toISOString(),
  };
  let record = fresh;
  if (idempotencyKey !== undefined) {
    const keyHash = createHash("sha256").update(idempotencyKey).digest("hex");
    if (!(await store.idempotency.create(keyHash, fresh))) {
      const existing = (await store.idempotency.get(keyHash))?.value;
      if (!existing) throw new Error("idempotency record vanished");
      if (existing.requestHash !== requestHash) {
        throw new HttpProblem(
          422,
          "IDEMPOTENCY_KEY_REUSED",
          "Idempotency-Key reused",
          "This Idempotency-Key was used with a different request body.",
        );
      }
      record = existing;
      const view = await store.orders.get(record.orderId);
      if (view) return view.value;
    }
  }
  const order = newOrder(
    record.orderId,
    record.customerId,
    record.items.map((i) => ({ ...i })),
    record.createdAt,
  );
  const event = create(OrderCreatedSchema, {
    meta: eventMeta(EVENTS.orderCreated, order.orderId, Date.parse(order.createdAt)),
    customerId: order.customerId,
    lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
  });
  await publish(EVENTS.orderCreated, event, { msgId: eventId(EVENTS.orderCreated, order.orderId) });
  // From here the order is accepted: a failed view write must not turn into an error the client
  // would retry (creating a second order); the projector writes the view from the stream.
  try {
    if (await store.orders.create(order.orderId, order)) return order;
    // The projector (or a concurrent retry with the same key) wrote it first and it may have moved on.
    return (await store.orders.get(order.orderId))?.value ?? order;
  } catch (err) {
    onViewWriteFailed?.(err, order.orderId);
    return order;
  }
}

function hashRequest(input: PlaceOrderInput): string {
  const canonical = JSON.stringify({ customerId: input.customerId, items: input.items.map(({ sku, quantity }) => [sku, quantity]) });
  return createHash("sha256").update(canonical).digest("hex");
}
