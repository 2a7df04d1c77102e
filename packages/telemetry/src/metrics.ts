import { type Span, TraceFlags, trace } from "@opentelemetry/api";
import { Counter, collectDefaultMetrics, Histogram, type OpenMetricsContentType, Registry } from "prom-client";

/**
 * The per-replica registry, served at /metrics: what this process did (HTTP, messages handled,
 * breaker, Node). Every series sums across replicas; a scrape does no broker work.
 */
export function createRegistry(service: string): Registry {
  const registry = openMetricsRegistry(service);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The system registry, served at /metrics/system: gauges read from the broker at scrape time
 * (backlog, DLQ depth, open orders, stock). Every replica would report the same value, so it is
 * scraped once per service, through the service's load-balanced address, and never summed.
 */
export function createSystemRegistry(service: string): Registry {
  return openMetricsRegistry(service);
}

/** Every series carries the `service` label. */
function openMetricsRegistry(service: string): Registry {
  // OpenMetrics, because only it carries exemplars (trace ids on latency buckets).
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registry = openMetrics as unknown as Registry;
  registry.setDefaultLabels({ service });
  return registry;
}

export interface HttpMetrics {
  requests: Counter<"method" | "route" | "status_code">;
  duration: Histogram<"method" | "route" | "status_code">;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: "http_server_requests_total",
      help: "HTTP requests answered, by route template, method and status.",
      labelNames: ["method", "route", "status_code"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "http_server_request_duration_seconds",
      help: "HTTP request duration, by route template, method and status.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
      enableExemplars: true,
    }),
  };
}

/**
 * Observes a histogram created with `enableExemplars`, attaching the trace id of `span` (the active
 * span by default) as exemplar when that span is sampled, so a latency panel can open the trace.
 */
export function observeWithTrace<T extends string>(
  histogram: Histogram<T>,
  labels: Partial<Record<T, string | number>>,
  value: number,
  span: Span | undefined = trace.getActiveSpan(),
): void {
  const context = span?.spanContext();
  const sampled = context !== undefined && (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  histogram.observe({ labels, value, ...(sampled ? { exemplarLabels: { trace_id: context.traceId } as Partial<Record<T, string>> } : {}) });
}
