import { EVENTS, type InventoryReserved, type OrderCreated, STREAMS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";

/** An order as its events in the streams tell it (the record every service writes to). */
export interface RecordedOrder {
  orderId: string;
  customerId: string;
  status: "PENDING" | "RESERVED" | "CONFIRMED" | "REJECTED" | "CANCELLED";
  items: { sku: string; quantity: number }[];
  totalMinor: number | null;
  /** Event types seen for this order; two decisions or two outcomes would be a broken record. */
  events: string[];
}

export const TERMINAL = new Set(["CONFIRMED", "REJECTED", "CANCELLED"]);

const orderIdOf = (subject: string) => subject.slice(subject.lastIndexOf(".") + 1);

/** Reads every order from the ORDERS, INVENTORY and PAYMENTS streams. */
export async function readOrders(bus: Bus): Promise<Map<string, RecordedOrder>> {
  const events = bus.events();
  const orders = new Map<string, RecordedOrder>();
  for await (const stored of events.scan(STREAMS.orders.name, `${EVENTS.orderCreated.subject}.>`)) {
    const created = stored.message as OrderCreated;
    const orderId = orderIdOf(stored.subject);
    const items = created.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    const known = orders.get(orderId);
    if (known) known.events.push(EVENTS.orderCreated.type);
    else
      orders.set(orderId, {
        orderId,
        customerId: created.customerId,
        status: "PENDING",
        items,
        totalMinor: null,
        events: [EVENTS.orderCreated.type],
      });
  }
  for (const stream of [STREAMS.inventory.name, STREAMS.payments.name]) {
    for await (const stored of events.scan(stream, stream === STREAMS.inventory.name ? "inventory.>" : "payments.>")) {
      const order = orders.get(orderIdOf(stored.subject));
      if (!order) continue;
      order.events.push(stored.event.type);
      if (stored.event === EVENTS.inventoryReserved) {
        order.totalMinor = Number((stored.message as InventoryReserved).total?.amountMinor ?? 0n);
        if (order.status === "PENDING") order.status = "RESERVED";
      } else if (stored.event === EVENTS.inventoryRejected && order.status === "PENDING") order.status = "REJECTED";
      else if (stored.event === EVENTS.paymentSucceeded && !TERMINAL.has(order.status)) order.status = "CONFIRMED";
      else if (stored.event === EVENTS.paymentFailed && !TERMINAL.has(order.status)) order.status = "CANCELLED";
    }
  }
  return orders;
}

/** An order whose record holds one event type twice, or both decisions, or both outcomes. */
export function brokenRecord(order: RecordedOrder): string | undefined {
  const seen = new Set(order.events);
  if (seen.size !== order.events.length) return `an event stored twice (${order.events.join(", ")})`;
  if (seen.has(EVENTS.inventoryReserved.type) && seen.has(EVENTS.inventoryRejected.type)) return "both reserved and rejected";
  if (seen.has(EVENTS.paymentSucceeded.type) && seen.has(EVENTS.paymentFailed.type)) return "both paid and failed";
  return undefined;
}
