import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** One registry per service; every series carries the `service` label. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
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
    }),
  };
}
