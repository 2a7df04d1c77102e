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
} as const;

/**
 * How long JetStream drops a publish whose Nats-Msg-Id it has seen (every stream's duplicate
 * window): within it an event is stored once, whoever publishes it again.
 */
export const DUPLICATE_WINDOW_MS = 120_000;

export type StreamName = (typeof STREAMS)[keyof typeof STREAMS]["name"];

export interface EventDef<Desc extends DescMessage = DescMessage> {
  /** The event's name (`inventory.reserved.v1`): span names and metric labels. */
  readonly name: string;
  /**
   * Subject base it is published on, as `<subject>.<orderId>` (eventSubject). The alternative
   * outcomes of one saga step share it (reserved or rejected, succeeded or failed), so one fence
   * on the subject decides between them: an order gets one decision and one payment outcome.
   */
  readonly subject: string;
  readonly stream: StreamName;
  readonly schema: Desc;
  /** Short name used in derived message ids. */
  readonly type: string;
}

function eventDef<Desc extends DescMessage>(name: string, subject: string, stream: StreamName, schema: Desc): EventDef<Desc> {
  return { name, subject, stream, schema, type: name.replace(/\.v\d+$/, "") };
}

/** Subjects of the saga steps whose outcome is one of two events. */
const INVENTORY_DECIDED = "inventory.decided.v1";
const PAYMENTS_SETTLED = "payments.settled.v1";

export const EVENTS = {
  orderCreated: eventDef("orders.created.v1", "orders.created.v1", "ORDERS", OrderCreatedSchema),
  inventoryReserved: eventDef("inventory.reserved.v1", INVENTORY_DECIDED, "INVENTORY", InventoryReservedSchema),
  inventoryRejected: eventDef("inventory.rejected.v1", INVENTORY_DECIDED, "INVENTORY", InventoryRejectedSchema),
  paymentSucceeded: eventDef("payments.succeeded.v1", PAYMENTS_SETTLED, "PAYMENTS", PaymentSucceededSchema),
  paymentFailed: eventDef("payments.failed.v1", PAYMENTS_SETTLED, "PAYMENTS", PaymentFailedSchema),
} as const;

export interface ConsumerDef<Desc extends DescMessage = DescMessage> {
  /** `<service>-<handler>`; never renamed (a renamed durable re-reads the whole stream). */
  readonly durable: string;
  readonly service: string;
  /** The events it receives, all on one subject (`subject`), so they come in the order stored. */
  readonly events: readonly EventDef<Desc>[];
  readonly stream: StreamName;
  readonly subject: string;
}

type SchemaOf<Def> = Def extends EventDef<infer Desc> ? Desc : never;

function consumerDef<Defs extends readonly EventDef[]>(
  service: string,
  handler: string,
  ...events: Defs
): ConsumerDef<SchemaOf<Defs[number]>> {
  const [first] = events;
  if (!first || events.some((e) => e.subject !== first.subject))
    throw new Error(`${service}-${handler}: its events must share one subject`);
  return {
    durable: `${service}-${handler}`,
    service,
    events: events as unknown as readonly EventDef<SchemaOf<Defs[number]>>[],
    stream: first.stream,
    subject: first.subject,
  };
}

export const CONSUMERS = {
  inventoryOnOrderCreated: consumerDef("inventory", "on-order-created", EVENTS.orderCreated),
  inventoryOnPaymentSettled: consumerDef("inventory", "on-payment-settled", EVENTS.paymentSucceeded, EVENTS.paymentFailed),
  paymentsOnInventoryDecided: consumerDef("payments", "on-inventory-decided", EVENTS.inventoryReserved, EVENTS.inventoryRejected),
} as const;

/**
 * Durables of earlier versions that nothing consumes any more, by the service that deletes them
 * at start. One with messages left is refused (the previous version must finish them first):
 * its events are on subjects no current durable reads.
 */
export const RETIRED_DURABLES = [
  // Orders reads its events back instead of projecting them.
  { service: "orders", stream: "ORDERS", durable: "orders-on-order-created" },
  { service: "orders", stream: "INVENTORY", durable: "orders-on-inventory-reserved" },
  { service: "orders", stream: "INVENTORY", durable: "orders-on-inventory-rejected" },
  { service: "orders", stream: "PAYMENTS", durable: "orders-on-payment-succeeded" },
  { service: "orders", stream: "PAYMENTS", durable: "orders-on-payment-failed" },
  // A step's two outcomes moved to one subject, read by one durable.
  { service: "inventory", stream: "PAYMENTS", durable: "inventory-on-payment-succeeded" },
  { service: "inventory", stream: "PAYMENTS", durable: "inventory-on-payment-failed" },
  { service: "payments", stream: "INVENTORY", durable: "payments-on-inventory-reserved" },
] as const;

/** The retired durables `service` deletes at start. */
export function retiredDurablesOf(service: string): { stream: string; durable: string }[] {
  return RETIRED_DURABLES.filter((r) => r.service === service).map(({ stream, durable }) => ({ stream, durable }));
}

/** JetStream KV buckets, one owner each. */
export const BUCKETS = {
  orderIdempotency: "orders-idempotency",
  stock: "inventory-stock",
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
  // The window in which a retried POST with the same Idempotency-Key returns the same order.
  "orders-idempotency": DAY_MS,
  "inventory-stock": undefined,
  "payment-provider-ledger": 30 * DAY_MS,
};

/**
 * Subject an event of `orderId` is published on. One subject per order and type makes the streams
 * the record: an order's events are found by subject, and a publish can be fenced on the subject
 * having no message yet (Nats-Expected-Last-Subject-Sequence: 0).
 */
export function eventSubject(event: EventDef, orderId: string): string {
  return `${event.subject}.${orderId}`;
}

/** Filter matching every order's events on one subject base (a durable's filter_subject). */
export function eventFilter({ subject }: { subject: string }): string {
  return `${subject}.>`;
}

/**
 * The event a stored message is: by its subject, and by its schema (the Shop-Schema header) where
 * a subject carries more than one event. Undefined for a message of no known event.
 */
export function eventOf(subject: string, schemaTypeName: string | undefined): EventDef | undefined {
  return eventBySchema(
    Object.values(EVENTS).filter((event) => subject.startsWith(`${event.subject}.`)),
    schemaTypeName,
  );
}

/**
 * Which of `candidates` (the events of one subject) a message is, by its schema; a message without
 * one can only be the subject's single event.
 */
export function eventBySchema<Def extends EventDef>(candidates: readonly Def[], schemaTypeName: string | undefined): Def | undefined {
  if (schemaTypeName === undefined) return candidates.length === 1 ? candidates[0] : undefined;
  return candidates.find((event) => event.schema.typeName === schemaTypeName);
}

/**
 * Pattern matching every event of `orderId` on one domain stream (`inventory.*.v1.<orderId>`),
 * also those of earlier versions' subjects. For tools only: nats-server 2.9 answers a wildcard
 * last-by-subject read by matching every subject of the stream's blocks (request paths read the
 * literal subjects, `eventSubject`).
 */
export function orderEventsPattern(stream: StreamName, orderId: string): string {
  const domain =
    Object.values(STREAMS)
      .find((s) => s.name === stream)
      ?.subjects[0]?.replace(/\.>$/, "") ?? stream.toLowerCase();
  return `${domain}.*.v1.${orderId}`;
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

/** Meta of an event caused by `orderId`, with its deterministic id and the time the order was placed. */
export function eventMeta(event: EventDef, orderId: string, orderPlacedAtMs: bigint | number = Date.now(), occurredAt = Date.now()) {
  return { eventId: eventId(event, orderId), orderId, occurredAtMs: BigInt(occurredAt), orderPlacedAtMs: BigInt(orderPlacedAtMs) };
}
