import type { DescMessage } from "@bufbuild/protobuf";
import { InventoryRejectedSchema, InventoryReservedSchema } from "./gen/shop/inventory/v1/events_pb.js";
import { OrderCreatedSchema } from "./gen/shop/orders/v1/events_pb.js";
import { PaymentFailedSchema, PaymentSucceededSchema } from "./gen/shop/payments/v1/events_pb.js";

/**
 * The only place subjects, streams, durable names and buckets are spelled. `maxAgeDays` is each
 * stream's retention (JetStream max_age): events older than that are dropped.
 */
export const STREAMS = {
  orders: { name: "ORDERS", subjects: ["orders.>"], maxAgeDays: 7 },
  inventory: { name: "INVENTORY", subjects: ["inventory.>"], maxAgeDays: 7 },
  payments: { name: "PAYMENTS", subjects: ["payments.>"], maxAgeDays: 7 },
  dlq: { name: "DLQ", subjects: ["dlq.>"], maxAgeDays: 30 },
  // Captures JetStream max-deliveries advisories so a service that is down when one fires still sees it.
  advisories: { name: "ADVISORIES", subjects: ["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"], maxAgeDays: 7 },
  // One message per order not yet terminal, purged at its terminal state (a purge leaves no marker):
  // the stream's message count and first timestamp are the open orders and the oldest one's age.
  openOrders: { name: "OPEN_ORDERS", subjects: ["open-orders.>"], maxAgeDays: 30 },
} as const;

/**
 * How long JetStream drops a publish whose Nats-Msg-Id it has seen (every stream's duplicate
 * window): within it an event is stored once, whoever publishes it again.
 */
export const DUPLICATE_WINDOW_MS = 120_000;

export type StreamName = (typeof STREAMS)[keyof typeof STREAMS]["name"];

export interface EventDef<Desc extends DescMessage = DescMessage> {
  readonly subject: string;
  readonly stream: StreamName;
  readonly schema: Desc;
  /** Short name used in derived message ids. */
  readonly type: string;
}

function eventDef<Desc extends DescMessage>(subject: string, stream: StreamName, schema: Desc): EventDef<Desc> {
  return { subject, stream, schema, type: subject.replace(/\.v\d+$/, "") };
}

export const EVENTS = {
  orderCreated: eventDef("orders.created.v1", "ORDERS", OrderCreatedSchema),
  inventoryReserved: eventDef("inventory.reserved.v1", "INVENTORY", InventoryReservedSchema),
  inventoryRejected: eventDef("inventory.rejected.v1", "INVENTORY", InventoryRejectedSchema),
  paymentSucceeded: eventDef("payments.succeeded.v1", "PAYMENTS", PaymentSucceededSchema),
  paymentFailed: eventDef("payments.failed.v1", "PAYMENTS", PaymentFailedSchema),
} as const;

export interface ConsumerDef<Desc extends DescMessage = DescMessage> {
  /** `<service>-<handler>`; never renamed (a renamed durable re-reads the whole stream). */
  readonly durable: string;
  readonly service: string;
  readonly event: EventDef<Desc>;
}

function consumerDef<Desc extends DescMessage>(service: string, handler: string, event: EventDef<Desc>): ConsumerDef<Desc> {
  return { durable: `${service}-${handler}`, service, event };
}

export const CONSUMERS = {
  ordersOnOrderCreated: consumerDef("orders", "on-order-created", EVENTS.orderCreated),
  ordersOnInventoryReserved: consumerDef("orders", "on-inventory-reserved", EVENTS.inventoryReserved),
  ordersOnInventoryRejected: consumerDef("orders", "on-inventory-rejected", EVENTS.inventoryRejected),
  ordersOnPaymentSucceeded: consumerDef("orders", "on-payment-succeeded", EVENTS.paymentSucceeded),
  ordersOnPaymentFailed: consumerDef("orders", "on-payment-failed", EVENTS.paymentFailed),
  inventoryOnOrderCreated: consumerDef("inventory", "on-order-created", EVENTS.orderCreated),
  inventoryOnPaymentSucceeded: consumerDef("inventory", "on-payment-succeeded", EVENTS.paymentSucceeded),
  inventoryOnPaymentFailed: consumerDef("inventory", "on-payment-failed", EVENTS.paymentFailed),
  paymentsOnInventoryReserved: consumerDef("payments", "on-inventory-reserved", EVENTS.inventoryReserved),
} as const;

/** JetStream KV buckets, one owner each. */
export const BUCKETS = {
  orders: "orders",
  orderIdempotency: "orders-idempotency",
  stock: "inventory-stock",
  reservations: "inventory-reservations",
  payments: "payments",
  // Ledger of the simulated payment provider: stands in for the PSP's own durable records.
  providerLedger: "payment-provider-ledger",
} as const;

export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a bucket keeps an entry after its last write (the bucket's max_age). Per-order records
 * expire, so nothing accumulates per order forever; stock (per SKU) is kept.
 */
export const BUCKET_TTL_MS: Readonly<Record<BucketName, number | undefined>> = {
  orders: 30 * DAY_MS,
  // The window in which a retried POST with the same Idempotency-Key returns the same order.
  "orders-idempotency": DAY_MS,
  "inventory-stock": undefined,
  "inventory-reservations": 30 * DAY_MS,
  payments: 30 * DAY_MS,
  "payment-provider-ledger": 30 * DAY_MS,
};

/** Subject of an open order's entry in the OPEN_ORDERS stream. */
export function openOrderSubject(orderId: string): string {
  return `open-orders.${orderId}`;
}

/** Subject a poison message of `durable` is copied to. */
export function dlqSubject(durable: string): string {
  return `dlq.${durable}`;
}

/** Subject of the max-deliveries advisory JetStream emits for one durable. */
export function maxDeliveriesAdvisorySubject(stream: string, durable: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`;
}

/** Message id of an event caused by `orderId`: a retried handler publishes the same id. */
export function eventId(event: EventDef, orderId: string): string {
  return `${event.type}:${orderId}`;
}

/** Meta of an event caused by `orderId`, with its deterministic id. */
export function eventMeta(event: EventDef, orderId: string, occurredAt = Date.now()) {
  return { eventId: eventId(event, orderId), orderId, occurredAtMs: BigInt(occurredAt) };
}
