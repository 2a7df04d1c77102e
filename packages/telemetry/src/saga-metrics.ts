import { Counter, Histogram, type Registry } from "prom-client";
import { observeWithTrace } from "./metrics.js";

export type SagaResult = "confirmed" | "rejected" | "cancelled";

export interface SagaMetrics {
  /**
   * Records an order's terminal event, counted by the replica whose publish stored it (a duplicate
   * publish is not counted), so the sum over every replica of every service is each order once.
   */
  finished(result: SagaResult, orderPlacedAtMs: number, revenue?: { amountMinor: number; currency: string }): void;
}

/**
 * Saga outcomes, measured where the terminal event is published: inventory rejects, payments
 * confirms or cancels. Each service registers the results it can produce, starting at zero.
 */
export function createSagaMetrics(registry: Registry, results: readonly SagaResult[]): SagaMetrics {
  const registers = [registry];
  const outcomes = new Counter({
    name: "saga_outcomes_total",
    help: "Orders that reached a terminal state, by result.",
    labelNames: ["result"],
    registers,
  });
  const duration = new Histogram({
    name: "saga_duration_seconds",
    help: "Time from order creation to its terminal event, by result.",
    labelNames: ["result"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
    enableExemplars: true,
  });
  const revenue = new Counter({
    name: "orders_revenue_minor_total",
    help: "Confirmed order totals in minor units, by currency.",
    labelNames: ["currency"],
    registers,
  });
  for (const result of results) outcomes.inc({ result }, 0);
  return {
    finished: (result, orderPlacedAtMs, paid) => {
      outcomes.inc({ result });
      // Called inside the consumer span of the order's trace: the exemplar links the bucket to it.
      observeWithTrace(duration, { result }, Math.max(0, Date.now() - orderPlacedAtMs) / 1000);
      if (result === "confirmed" && paid) revenue.inc({ currency: paid.currency || "unknown" }, paid.amountMinor);
    },
  };
}
