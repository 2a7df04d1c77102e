export { type BackoffOptions, backoffDelay } from "./backoff.js";
export { type Breaker, type BreakerOptions, createBreaker } from "./breaker.js";
export { Bus, type BusOptions, type DurableBacklog } from "./bus.js";
export type { ConsumerHandle, Handler, MessageContext } from "./consumer.js";
export { type DeadLetterEntry, DLQ_HEADERS, listDeadLetters } from "./dlq.js";
export { BusError, errorMessage, isPermanent, PermanentError, RetryableError } from "./errors.js";
export { EventReader, type StoredEvent } from "./event-reader.js";
export { JsonKv, type KvPage, type Mutator, type Versioned } from "./kv-store.js";
export { isNotFound } from "./nats-errors.js";
export { type ConsumerSettings, DEFAULT_CONSUMER_SETTINGS, type ProvisionPlan } from "./provision.js";
export { HEADER_SCHEMA, type Publish, type PublishOptions, schemaOf } from "./publisher.js";
export { ATTR as MESSAGING_ATTRIBUTES, inSpan } from "./tracing.js";
export { ORDER_ID_PATTERN, required, requireOrderId } from "./validate.js";
/** Span attribute carrying the saga's order id on every span of an order. */
export const ORDER_ID_ATTRIBUTE = "shop.order.id";
