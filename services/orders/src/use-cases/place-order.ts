import { createHash, randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, OrderCreatedSchema } from "@shop/contracts";
import type { Publish } from "@shop/eventbus";
import { HttpProblem } from "@shop/telemetry";
import { readOrder } from "../adapters/order-reader.js";
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
}

/**
 * Accepts an order: the ORDERS stream is the record, so the order exists once its event is
 * acknowledged by JetStream, and GET /orders/:id reads it from there. A retry with the same
 * Idempotency-Key finds the order by the key's record; if the first attempt died before
 * publishing, the retry publishes it (fenced: an order's created event is stored once).
 */
export async function placeOrder(
  { store, publish, now = () => new Date() }: PlaceOrderDeps,
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
      const placed = await readOrder(store.events, record.orderId);
      if (placed) return placed;
    }
  }
  const order = newOrder(
    record.orderId,
    record.customerId,
    record.items.map((i) => ({ ...i })),
    record.createdAt,
  );
  const placedAtMs = Date.parse(order.createdAt);
  const event = create(OrderCreatedSchema, {
    meta: eventMeta(EVENTS.orderCreated, order.orderId, placedAtMs, placedAtMs),
    customerId: order.customerId,
    lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
  });
  await publish(EVENTS.orderCreated, event, { msgId: eventId(EVENTS.orderCreated, order.orderId), firstOfSubject: true });
  return order;
}

function hashRequest(input: PlaceOrderInput): string {
  const canonical = JSON.stringify({ customerId: input.customerId, items: input.items.map(({ sku, quantity }) => [sku, quantity]) });
  return createHash("sha256").update(canonical).digest("hex");
}
