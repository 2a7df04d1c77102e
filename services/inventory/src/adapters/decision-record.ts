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

/** Decisions this process keeps at most (they never change, so any copy stays right). */
const KNOWN_DECISIONS = 10_000;

/**
 * Inventory's decisions as the INVENTORY stream records them: the event on
 * `inventory.decided.v1.<orderId>` is the decision (there is no other record), written by the
 * fenced publish in reserve-order.ts.
 */
export class DecisionRecord {
  private readonly known = new Map<string, Reservation>();

  constructor(private readonly events: EventReader) {}

  /** The recorded decision, from the stream leader: sees every replica's, or null when none is stored. */
  async read(orderId: string): Promise<Reservation | null> {
    const stored = await this.events.last(STREAMS.inventory.name, eventSubject(EVENTS.inventoryReserved, orderId));
    if (!stored) return null;
    const decision = reservationOf(stored.message as InventoryReserved | InventoryRejected, stored.storedAtMs);
    this.remember(decision);
    return decision;
  }

  /** A decision never changes once recorded: this process's copy is as good as the stream's. */
  async readKnown(orderId: string): Promise<Reservation | null> {
    return this.known.get(orderId) ?? this.read(orderId);
  }

  /** Keeps a decision this process recorded or read. */
  remember(decision: Reservation): void {
    if (this.known.size >= KNOWN_DECISIONS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(decision.orderId, decision);
  }
}
