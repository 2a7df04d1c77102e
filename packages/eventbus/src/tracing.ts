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
  TraceFlags,
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
 * The parent's span when its trace is not sampled, else undefined. The services sample parent-based
 * (tracing.ts in @shop/telemetry), which drops every child of an unsampled span, so a child is not
 * built at all there: the work runs in the parent's (non-recording) span, and what it publishes
 * carries the parent's trace context, unsampled flag included.
 */
export function unsampledSpan(parent: Context): Span | undefined {
  const span = trace.getSpan(parent);
  if (!span || (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) return undefined;
  // Non-recording, so what the work does to "its" span (attributes, end) never touches the parent.
  return span.isRecording() ? trace.wrapSpanContext(span.spanContext()) : span;
}

/**
 * Runs `work` in an active span: a thrown error is recorded with status ERROR and rethrown; the
 * span always ends. Under an unsampled parent it runs in the parent's span (see unsampledSpan).
 */
export function inSpan<T>(
  spanTracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const unsampled = unsampledSpan(parent);
  if (unsampled) return context.with(parent, () => work(unsampled));
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
