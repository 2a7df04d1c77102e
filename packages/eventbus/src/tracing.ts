import type { MsgHdrs } from "@nats-io/transport-node";
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";

export const tracer = trace.getTracer("@shop/eventbus");

/** OpenTelemetry messaging attribute names (semantic conventions), plus the saga's order id. */
export const ATTR = {
  system: "messaging.system",
  destination: "messaging.destination.name",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  consumerGroup: "messaging.consumer.group.name",
  messageId: "messaging.message.id",
  bodySize: "messaging.message.body.size",
  deliveryCount: "messaging.nats.message.delivery_count",
  streamSequence: "messaging.nats.message.stream_sequence",
  orderId: "shop.order.id",
} as const;

const setter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const getter: TextMapGetter<MsgHdrs | undefined> = {
  get: (carrier, key) => carrier?.get(key) || undefined,
  keys: (carrier) => (carrier ? carrier.keys() : []),
};

/** Writes the active trace context (W3C traceparent/tracestate) into NATS headers. */
export function injectTraceContext(headers: MsgHdrs, ctx: Context): void {
  propagation.inject(ctx, headers, setter);
}

/** The producer's context from NATS headers; the root context when there is none. */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}

/** The saga's order id of a decoded event, when it has one. */
export function orderIdOf(message: unknown): string | undefined {
  const orderId = (message as { meta?: { orderId?: unknown } } | undefined)?.meta?.orderId;
  return typeof orderId === "string" && orderId !== "" ? orderId : undefined;
}

/**
 * Runs `work` in an active span: a thrown error is recorded with status ERROR and rethrown; the
 * span always ends.
 */
export function inSpan<T>(
  spanTracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return spanTracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
