import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import { context, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { EventDef } from "@shop/contracts";
import pRetry from "p-retry";
import type { Logger } from "pino";
import { errorMessage, RetryableError } from "./errors.js";
import type { BusMetrics } from "./metrics.js";
import { ATTR, injectTraceContext, orderIdOf, tracer } from "./tracing.js";

export const HEADER_SCHEMA = "Shop-Schema";
export const HEADER_CONTENT_TYPE = "Content-Type";
export const PROTOBUF_CONTENT_TYPE = "application/protobuf";

export interface PublishOptions {
  /** Deterministic id (derived from the causing event); JetStream drops a duplicate within its window. */
  msgId: string;
  headers?: Record<string, string>;
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
 * Typed publish: protobuf encoding, `Nats-Msg-Id`, retries with exponential backoff and jitter.
 * Each call is independent, so concurrent callers share the connection pipelined.
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
    if (!seenSubjects.has(event.subject)) {
      // The retry series exists (at zero) from a subject's first publish, so "no retries" reads as 0.
      seenSubjects.add(event.subject);
      metrics?.publishRetries.inc({ subject: event.subject }, 0);
    }
    const data = toBinary(event.schema, message);
    const orderId = orderIdOf(message);
    const attributes = {
      [ATTR.system]: "nats",
      [ATTR.destination]: event.subject,
      [ATTR.operationType]: "send",
      [ATTR.operationName]: "send",
      [ATTR.messageId]: options.msgId,
      [ATTR.bodySize]: data.byteLength,
      ...(orderId ? { [ATTR.orderId]: orderId } : {}),
    };
    return tracer.startActiveSpan(`send ${event.subject}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      try {
        if (!isConnected()) throw new RetryableError("NATS_DISCONNECTED", `not connected to NATS; ${event.subject} not published`);
        const hdrs = buildHeaders(event.schema.typeName, options.headers);
        injectTraceContext(hdrs, context.active());
        const ack = await pRetry(() => js.publish(event.subject, data, { msgID: options.msgId, headers: hdrs, timeout: timeoutMs }), {
          retries,
          minTimeout: 100,
          maxTimeout: 2_000,
          randomize: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft > 0) metrics?.publishRetries.inc({ subject: event.subject });
            span.addEvent("publish.retry", { attempt: attemptNumber, "error.message": error.message, retries_left: retriesLeft });
            logger.warn({ err: error, subject: event.subject, msgId: options.msgId, attemptNumber }, "publish attempt failed");
          },
        });
        span.setAttribute("messaging.nats.stream_sequence", ack.seq);
        if (ack.duplicate) span.addEvent("publish.duplicate", { "messaging.message.id": options.msgId });
        return ack;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
        if (err instanceof RetryableError) throw err;
        throw new RetryableError("PUBLISH_FAILED", `publish to ${event.subject} failed`, { cause: err });
      } finally {
        span.end();
      }
    });
  };
}

export function buildHeaders(typeName: string, extra: Record<string, string> = {}): MsgHdrs {
  const hdrs = natsHeaders();
  hdrs.set(HEADER_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE);
  hdrs.set(HEADER_SCHEMA, typeName);
  for (const [key, value] of Object.entries(extra)) hdrs.set(key, value);
  return hdrs;
}
