/** Order states and the saga's transitions; pure, no I/O. */
export type OrderStatus = "PENDING" | "RESERVED" | "CONFIRMED" | "REJECTED" | "CANCELLED";

export const TERMINAL_STATUSES: readonly OrderStatus[] = ["CONFIRMED", "REJECTED", "CANCELLED"];

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Set once inventory priced the line from its catalog. */
  unitPriceMinor?: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  items: OrderItem[];
  totalMinor: number | null;
  currency: string | null;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

export type OrderEvent =
  | { type: "reserved"; items: Required<OrderItem>[]; totalMinor: number; currency: string }
  | { type: "rejected"; reason: string }
  | { type: "paid"; totalMinor: number; currency: string }
  | { type: "payment-failed"; reason: string };

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function newOrder(orderId: string, customerId: string, items: OrderItem[], createdAt: string): Order {
  return { orderId, customerId, status: "PENDING", items, totalMinor: null, currency: null, createdAt, updatedAt: createdAt };
}

/**
 * Applies a saga event; returns the new order, or null when the event changes nothing (a duplicate,
 * or a late event for an order already past it). Events may arrive out of order across streams.
 */
export function applyOrderEvent(order: Order, event: OrderEvent, at: string): Order | null {
  switch (event.type) {
    case "reserved": {
      // A payment may overtake the reservation: then the late reservation only fills in the prices.
      const unpriced = order.items.some((item) => item.unitPriceMinor === undefined);
      const needsPrices = unpriced && (order.status === "CONFIRMED" || order.status === "CANCELLED");
      if (order.status !== "PENDING" && !needsPrices) return null;
      return {
        ...order,
        status: order.status === "PENDING" ? "RESERVED" : order.status,
        items: event.items,
        totalMinor: event.totalMinor,
        currency: event.currency,
        updatedAt: at,
      };
    }
    case "rejected":
      if (order.status !== "PENDING") return null;
      return { ...order, status: "REJECTED", reason: event.reason, updatedAt: at };
    case "paid":
      if (isTerminal(order.status)) return null;
      return {
        ...order,
        status: "CONFIRMED",
        totalMinor: order.totalMinor ?? event.totalMinor,
        currency: order.currency ?? event.currency,
        updatedAt: at,
      };
    case "payment-failed":
      if (isTerminal(order.status)) return null;
      return { ...order, status: "CANCELLED", reason: event.reason, updatedAt: at };
  }
}

/** Lines naming the same SKU twice, which an order must not contain. */
export function duplicateSkus(items: readonly { sku: string }[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { sku } of items) {
    if (seen.has(sku)) duplicates.add(sku);
    seen.add(sku);
  }
  return [...duplicates];
}

/** What a non-terminal order waits for and since when: the answer to "why is it not done yet". */
export function progressOf(order: Order, now: Date): { waitingFor?: "inventory" | "payment"; ageSeconds?: number } {
  if (isTerminal(order.status)) return {};
  const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(order.createdAt)) / 1000));
  return { waitingFor: order.status === "PENDING" ? "inventory" : "payment", ageSeconds };
}
