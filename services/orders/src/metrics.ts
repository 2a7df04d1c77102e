import { Counter, Histogram, type Registry } from "prom-client";
import type { Order } from "./domain/order.js";

export interface OrderMetrics {
  /** Records an order that just reached a terminal state. */
  completed(order: Order): void;
  accepted(): void;
}

export function createOrderMetrics(registry: Registry): OrderMetrics {
  const registers = [registry];
  const accepted = new Counter({ name: "orders_accepted_total", help: "Orders answered 202.", registers });
  const outcomes = new Counter({
    name: "saga_outcomes_total",
    help: "Orders that reached a terminal state, by result.",
    labelNames: ["result"],
    registers,
  });
  const duration = new Histogram({
    name: "saga_duration_seconds",
    help: "Time from order creation to its terminal state, by result.",
    labelNames: ["result"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const revenue = new Counter({
    name: "orders_revenue_minor_total",
    help: "Confirmed order totals in minor units, by currency.",
    labelNames: ["currency"],
    registers,
  });
  return {
    accepted: () => accepted.inc(),
    completed: (order) => {
      const result = order.status.toLowerCase();
      outcomes.inc({ result });
      duration.observe({ result }, Math.max(0, Date.parse(order.updatedAt) - Date.parse(order.createdAt)) / 1000);
      if (order.status === "CONFIRMED" && order.totalMinor !== null)
        revenue.inc({ currency: order.currency ?? "unknown" }, order.totalMinor);
    },
  };
}
