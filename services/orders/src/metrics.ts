import type { OpenSetSummary } from "@shop/eventbus";
import { observeWithTrace } from "@shop/telemetry";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { OrderStore } from "./adapters/order-store.js";
import { isTerminal, type Order } from "./domain/order.js";

export interface OrderMetrics {
  /** Records an order that just reached a terminal state. */
  completed(order: Order): void;
  accepted(): void;
}

/** Per-replica saga metrics: each replica counts the orders it accepted and the outcomes it recorded. */
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
    enableExemplars: true,
  });
  const revenue = new Counter({
    name: "orders_revenue_minor_total",
    help: "Confirmed order totals in minor units, by currency.",
    labelNames: ["currency"],
    registers,
  });
  for (const result of ["confirmed", "rejected", "cancelled"]) outcomes.inc({ result }, 0);
  return {
    accepted: () => accepted.inc(),
    completed: (order) => {
      const result = order.status.toLowerCase();
      outcomes.inc({ result });
      // Called inside the consumer span of the order's trace: the exemplar links the bucket to it.
      observeWithTrace(duration, { result }, Math.max(0, Date.parse(order.updatedAt) - Date.parse(order.createdAt)) / 1000);
      if (order.status === "CONFIRMED" && order.totalMinor !== null)
        revenue.inc({ currency: order.currency ?? "unknown" }, order.totalMinor);
    },
  };
}

/**
 * Open orders and the age of the oldest, from the OPEN_ORDERS stream at scrape time: a constant
 * number of broker requests whatever the number of orders ever placed. A stale oldest entry (its
 * order already terminal: a lost race between projector and saga) is removed here. The set is
 * shared by every replica: register these in the system registry, scraped once.
 */
export function registerOpenOrderGauges(registry: Registry, store: OrderStore): void {
  let summary: Promise<OpenSetSummary> | undefined;
  const isOpen = async (orderId: string) => {
    const view = await store.orders.get(orderId);
    return view !== null && !isTerminal(view.value.status);
  };
  const openOrders = (): Promise<OpenSetSummary> => {
    // One read serves both gauges of a scrape.
    summary ??= store.open.summaryRepairingHead(isOpen).finally(() => setTimeout(() => (summary = undefined), 250).unref());
    return summary;
  };
  new Gauge({
    name: "saga_open_orders",
    help: "Orders accepted and not yet in a terminal state.",
    registers: [registry],
    async collect() {
      this.set((await openOrders()).count);
    },
  });
  new Gauge({
    name: "saga_oldest_open_order_age_seconds",
    help: "Age of the oldest order not yet in a terminal state (0 when none).",
    registers: [registry],
    async collect() {
      const { oldest } = await openOrders();
      this.set(oldest ? Math.max(0, (Date.now() - oldest.openedAt.getTime()) / 1000) : 0);
    },
  });
}
