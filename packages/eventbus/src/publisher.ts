import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import { context, type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { type EventDef, eventSubject } from "@shop/contracts";
import pRetry from "p-retry";
import type { Logger } from "pino";
import { errorMessage, PermanentError, RetryableError } from "./errors.js";
import type { BusMetrics } from "./metrics.js";
import { isWrongLastSequence } from "./nats-errors.js";
import { ATTR, injectTraceContext, orderIdOf, tracer, unsampledSpan } from "./tracing.js";
import { ORDER_ID_PATTERN } from "./validate.js";

export const HEADER_SCHEMA = "Shop-Schema";
export const HEADER_CONTENT_TYPE = "Content-Type";
export const PROTOBUF_CONTENT_TYPE = "application/protobuf";

export interface PublishOptions {
  /** Deterministic id (derived from the causing event); JetStream drops a duplicate within its window. */
  msgId: string;
  headers?: Record<string, string>;
  /**
   * Store the event only if its subject (this step, this order) has none yet
   * (Nats-Expected-Last-Subject-Sequence: 0). When one is there the publish resolves as a duplicate:
   * an order has at most one outcome of each step, however late a retry or a replay comes.
   */
  firstOfSubject?: boolean;
}

export interface PublisherOptions {
  js: JetStreamClient;
  logger: Logger;
  metrics?: BusMetrics;
  /** Attempts per publish before the caller sees the error. */
  retries?: number;
  timeoutMs?: number;
  /** While false, publishes fail at once instead of queueing behind a dead connection. */
  isConnected?: () => boolean;
}

export type Publish = <Desc extends DescMessage>(
  event: EventDef<Desc>,
  message: MessageShape<Desc>,
  options: PublishOptions,
) => Promise<PubAck>;

/**
 * Typed publish on the order's subject (`<step subject>.<orderId>`): protobuf encoding,
 * `Nats-Msg-Id`, retries with exponential backoff and jitter. Each call is independent, so
 * concurrent callers share the connection pipelined. `ack.duplicate` tells the caller the event was
 * already stored (same message id within the window, or `firstOfSubject` and one is there).
 */
export function createPublisher({
  js,
  logger,
  metrics,
  retries = 4,
  timeoutMs = 5_000,
  isConnected = () => true,
}: PublisherOptions): Publish {
  const seenSubjects = new Set<string>();
  return (event, message, options) => {
    if (!seenSubjects.has(event.name)) {
      // The retry series exists (at zero) from an event's first publish, so "no retries" reads as 0.
      seenSubjects.add(event.name);
      metrics?.publishRetries.inc({ subject: event.name }, 0);
    }
    const data = toBinary(event.schema, message);
    const orderId = orderIdOf(message);
    const send = async (span: Span): Promise<PubAck> => {
      try {
        if (!orderId || !ORDER_ID_PATTERN.test(orderId)) {
          throw new PermanentError("BAD_ORDER_ID", `${event.name}: order id ${JSON.stringify(orderId ?? "")} cannot name a subject`);
        }
        if (!isConnected()) throw new RetryableError("NATS_DISCONNECTED", `not connected to NATS; ${event.name} not published`);
        const hdrs = buildHeaders(event.schema.typeName, options.headers);
        injectTraceContext(hdrs, context.active());
        const subject = eventSubject(event, orderId);
        const expect = options.firstOfSubject ? { lastSubjectSequence: 0 } : undefined;
        const attempt = async (): Promise<PubAck> => {
          try {
            return await js.publish(subject, data, {
              msgID: options.msgId,
              headers: hdrs,
              timeout: timeoutMs,
              ...(expect ? { expect } : {}),
            });
          } catch (err) {
            // The subject already holds this order's outcome of this step: stored once, as asked.
            if (expect && isWrongLastSequence(err)) return { stream: event.stream, seq: 0, duplicate: true, domain: "" } as PubAck;
            throw err;
          }
        };
        const ack = await pRetry(attempt, {
          retries,
          minTimeout: 100,
          maxTimeout: 2_000,
          randomize: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft > 0) metrics?.publishRetries.inc({ subject: event.name });
            span.addEvent("publish.retry", { attempt: attemptNumber, "error.message": error.message, retries_left: retriesLeft });
            logger.warn({ err: error, event: event.name, msgId: options.msgId, attemptNumber }, "publish attempt failed");
          },
        });
        span.setAttribute("messaging.nats.stream_sequence", ack.seq);
        if (ack.duplicate) span.addEvent("publish.duplicate", { "messaging.message.id": options.msgId });
        return ack;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
        if (err instanceof RetryableError || err instanceof PermanentError) throw err;
        throw new RetryableError("PUBLISH_FAILED", `publish of ${event.name} failed`, { cause: err });
      } finally {
        span.end();
      }
    };
    // Under an unsampled parent no PRODUCER span is built (see unsampledSpan); its context still travels.
    const unsampled = unsampledSpan(context.active());
    if (unsampled) return send(unsampled);
    const attributes = {
      [ATTR.system]: "nats",
      [ATTR.destination]: event.name,
      [ATTR.operationType]: "send",
      [ATTR.operationName]: "send",
      [ATTR.messageId]: options.msgId,
      [ATTR.bodySize]: data.byteLength,
      ...(orderId ? { [ATTR.orderId]: orderId } : {}),
    };
    return tracer.startActiveSpan(`send ${event.name}`, { kind: SpanKind.PRODUCER, attributes }, send);
  };
}

/** The protobuf type a message says it carries (its Shop-Schema header), or undefined. */
export function schemaOf(headers: MsgHdrs | undefined): string | undefined {
  return headers?.get(HEADER_SCHEMA) || undefined;
}

export function buildHeaders(typeName: string, extra: Record<string, string> = {}): MsgHdrs {
  const hdrs = natsHeaders();
  hdrs.set(HEADER_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE);
  hdrs.set(HEADER_SCHEMA, typeName);
  for (const [key, value] of Object.entries(extra)) hdrs.set(key, value);
  return hdrs;
}
