import { EVENTS, eventSubject, type InventoryRejected, type InventoryReserved, RejectionReason, STREAMS } from "@shop/contracts";
import type { EventReader } from "@shop/eventbus";
import type { Reservation } from "../domain/reservation.js";

type Rejection = NonNullable<Reservation["rejection"]>["reason"];

const REJECTIONS: Record<RejectionReason, Rejection> = {
  [RejectionReason.UNSPECIFIED]: "OUT_OF_STOCK",
  [RejectionReason.OUT_OF_STOCK]: "OUT_OF_STOCK",
  [RejectionReason.UNKNOWN_SKU]: "UNKNOWN_SKU",
  [RejectionReason.MIXED_CURRENCY]: "MIXED_CURRENCY",
};

/** The decision an `inventory.decided.v1` event records. */
export function reservationOf(message: InventoryReserved | InventoryRejected, storedAtMs: number): Reservation {
  const orderId = message.meta?.orderId ?? "";
  const updatedAt = new Date(storedAtMs).toISOString();
  if (message.$typeName === "shop.inventory.v1.InventoryRejected") {
    const rejection = { reason: REJECTIONS[message.reason] ?? "OUT_OF_STOCK", skus: [...message.skus] };
    return { orderId, customerId: "", status: "REJECTED", lines: [], totalMinor: 0, currency: "", rejection, updatedAt };
  }
  return {
    orderId,
    customerId: message.customerId,
    status: "RESERVED",
    lines: message.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPriceMinor: Number(line.unitPrice?.amountMinor ?? 0n),
      holdId: line.holdId,
    })),
    totalMinor: Number(message.total?.amountMinor ?? 0n),
    currency: message.total?.currency ?? "",
    updatedAt,
  };
}

/**
 * Inventory's decisions as the INVENTORY stream records them: the event on
 * `inventory.decided.v1.<orderId>` is the decision (there is no other record), written by the
 * fenced publish in reserve-order.ts. Nothing is cached: a decision is read only when its publish
 * was refused or a payment event of an earlier version names no holds, too rarely to keep the last
 * 10,000 decisions in memory for.
 */
export class DecisionRecord {
  constructor(private readonly events: EventReader) {}

  /** The recorded decision, from the stream leader: sees every replica's, or null when none is stored. */
  async read(orderId: string): Promise<Reservation | null> {
    const stored = await this.events.last(STREAMS.inventory.name, eventSubject(EVENTS.inventoryReserved, orderId));
    return stored ? reservationOf(stored.message as InventoryReserved | InventoryRejected, stored.storedAtMs) : null;
  }
}
