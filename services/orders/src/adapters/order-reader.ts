import {
  EVENTS,
  eventSubject,
  type InventoryRejected,
  type InventoryReserved,
  type OrderCreated,
  type PaymentFailed,
  type PaymentSucceeded,
  RejectionReason,
  STREAMS,
} from "@shop/contracts";
import type { EventReader, StoredEvent } from "@shop/eventbus";
import { applyOrderEvent, newOrder, type Order, type OrderEvent } from "../domain/order.js";

const REASONS: Record<RejectionReason, string> = {
  [RejectionReason.UNSPECIFIED]: "rejected by inventory",
  [RejectionReason.OUT_OF_STOCK]: "out of stock",
  [RejectionReason.UNKNOWN_SKU]: "unknown SKU",
  [RejectionReason.MIXED_CURRENCY]: "items priced in different currencies",
};

/**
 * The order as its events tell it. The streams are the record: an order is its `orders.created`
 * event, at most one inventory decision and at most one payment outcome, each on its own per-order
 * subject, read through the stream leaders (three requests, in parallel). Nothing is written per
 * order to answer this, and a GET right after the 202 finds the order (the 202 waits for the ack).
 *
 * Exact subjects only: nats-server finds the last message of a literal subject in its subject
 * index, but for a wildcard (`inventory.*.v1.<id>`) 2.9 matches every subject of every block it
 * walks, backwards until one matches: for an order still waiting, the whole stream. Measured, those
 * scans were a quarter of nats-server's CPU under load, and they grow with the stream.
 */
export async function readOrder(events: EventReader, orderId: string): Promise<Order | null> {
  const [created, decision, payment] = await Promise.all([
    events.last(STREAMS.orders.name, eventSubject(EVENTS.orderCreated, orderId)),
    events.last(STREAMS.inventory.name, eventSubject(EVENTS.inventoryReserved, orderId)),
    events.last(STREAMS.payments.name, eventSubject(EVENTS.paymentSucceeded, orderId)),
  ]);
  if (!created || created.event !== EVENTS.orderCreated) return null;
  const placed = created.message as OrderCreated;
  let order = newOrder(
    orderId,
    placed.customerId,
    placed.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    new Date(Number(placed.meta?.orderPlacedAtMs || placed.meta?.occurredAtMs || BigInt(created.storedAtMs))).toISOString(),
  );
  // In the order they were stored (applyOrderEvent copes with any order; a late event changes nothing).
  const later = [decision, payment].filter((e): e is StoredEvent => e !== null).sort((a, b) => a.storedAtMs - b.storedAtMs);
  for (const stored of later) {
    const change = toOrderEvent(stored);
    if (!change) continue;
    order = applyOrderEvent(order, change, new Date(stored.storedAtMs).toISOString()) ?? order;
  }
  return order;
}

function toOrderEvent(stored: StoredEvent): OrderEvent | null {
  switch (stored.event) {
    case EVENTS.inventoryReserved: {
      const event = stored.message as InventoryReserved;
      return {
        type: "reserved",
        items: event.lines.map((line) => ({
          sku: line.sku,
          quantity: line.quantity,
          unitPriceMinor: Number(line.unitPrice?.amountMinor ?? 0n),
        })),
        totalMinor: Number(event.total?.amountMinor ?? 0n),
        currency: event.total?.currency ?? "",
      };
    }
    case EVENTS.inventoryRejected: {
      const event = stored.message as InventoryRejected;
      const skus = event.skus.length > 0 ? `: ${event.skus.join(", ")}` : "";
      return { type: "rejected", reason: `${REASONS[event.reason] ?? REASONS[0]}${skus}` };
    }
    case EVENTS.paymentSucceeded: {
      const event = stored.message as PaymentSucceeded;
      return { type: "paid", totalMinor: Number(event.amount?.amountMinor ?? 0n), currency: event.amount?.currency ?? "" };
    }
    case EVENTS.paymentFailed:
      return { type: "payment-failed", reason: `payment failed: ${(stored.message as PaymentFailed).detail || "declined"}` };
    default:
      return null;
  }
}
