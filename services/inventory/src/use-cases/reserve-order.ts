import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, InventoryRejectedSchema, InventoryReservedSchema, RejectionReason } from "@shop/contracts";
import type { Publish } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { type Reservation, type ReservedLine, totalOf } from "../domain/reservation.js";
import { type HoldResult, hold, release } from "../domain/stock.js";

export interface InventoryDeps {
  store: InventoryStore;
  publish: Publish;
  now?: () => Date;
}

export interface ReserveOrderInput {
  orderId: string;
  customerId: string;
  lines: { sku: string; quantity: number }[];
}

/**
 * Reserves every line or none. Holds are keyed by order, so a redelivered event re-finds its own
 * holds instead of taking stock twice; the decision is written once and republished on replay.
 */
export async function reserveOrder(deps: InventoryDeps, input: ReserveOrderInput): Promise<Reservation> {
  const { store } = deps;
  const existing = await store.reservations.get(input.orderId);
  if (existing) {
    await publishDecision(deps, existing.value);
    return existing.value;
  }
  const decision = await decide(deps, input);
  const final = (await store.reservations.create(input.orderId, decision))
    ? decision
    : (await store.reservations.get(input.orderId))?.value;
  if (!final) throw new Error(`reservation of ${input.orderId} vanished`);
  await publishDecision(deps, final);
  return final;
}

async function decide(
  { store, now = () => new Date() }: InventoryDeps,
  { orderId, customerId, lines }: ReserveOrderInput,
): Promise<Reservation> {
  const updatedAt = now().toISOString();
  const rejected = (reason: NonNullable<Reservation["rejection"]>["reason"], skus: string[]): Reservation => ({
    orderId,
    customerId,
    status: "REJECTED",
    lines: [],
    totalMinor: 0,
    currency: "",
    rejection: { reason, skus },
    updatedAt,
  });

  // Every line is held at once (one group-committed write per SKU); if the order cannot be served
  // whole, the holds it did take are released again.
  const attempts = await Promise.all(lines.map((line) => holdLine(store, orderId, line)));
  const unknown = attempts.filter((a) => a.outcome === "unknown").map((a) => a.sku);
  const currencies = new Set(attempts.filter((a) => a.outcome !== "unknown").map((a) => a.currency));
  const short = attempts.find((a) => a.outcome === "short");
  if (unknown.length > 0 || currencies.size > 1 || short) {
    const held = attempts.filter((a) => a.outcome === "held");
    await Promise.all(held.map((a) => store.stock.update(a.sku, (current) => (current ? release(current, orderId) : null))));
    if (unknown.length > 0) return rejected("UNKNOWN_SKU", unknown);
    if (currencies.size > 1)
      return rejected(
        "MIXED_CURRENCY",
        lines.map((line) => line.sku),
      );
    return rejected("OUT_OF_STOCK", [short?.sku ?? ""]);
  }
  const reserved: ReservedLine[] = attempts.map((a) => ({ sku: a.sku, quantity: a.quantity, unitPriceMinor: a.unitPriceMinor }));
  return {
    orderId,
    customerId,
    status: "RESERVED",
    lines: reserved,
    totalMinor: totalOf(reserved),
    currency: [...currencies][0] ?? "",
    updatedAt,
  };
}

interface LineAttempt {
  sku: string;
  quantity: number;
  outcome: "held" | "short" | "unknown";
  unitPriceMinor: number;
  currency: string;
}

async function holdLine(store: InventoryStore, orderId: string, line: { sku: string; quantity: number }): Promise<LineAttempt> {
  const attempt: LineAttempt = { ...line, outcome: "unknown", unitPriceMinor: 0, currency: "" };
  await store.stock.update(line.sku, (current) => {
    if (!current) {
      attempt.outcome = "unknown";
      return null;
    }
    const result: HoldResult = hold(current, orderId, line.quantity);
    Object.assign(attempt, { outcome: result.ok ? "held" : "short", unitPriceMinor: current.priceMinor, currency: current.currency });
    return result.ok ? result.item : null;
  });
  return attempt;
}

/** Publishes the decision with an id derived from the order, so a replay publishes the same message. */
async function publishDecision({ publish }: InventoryDeps, reservation: Reservation): Promise<void> {
  const { orderId } = reservation;
  if (reservation.status === "REJECTED") {
    const event = create(InventoryRejectedSchema, {
      meta: eventMeta(EVENTS.inventoryRejected, orderId),
      reason: RejectionReason[reservation.rejection?.reason ?? "UNSPECIFIED"],
      skus: reservation.rejection?.skus ?? [],
      detail: `${reservation.rejection?.reason ?? "rejected"}`,
    });
    await publish(EVENTS.inventoryRejected, event, { msgId: eventId(EVENTS.inventoryRejected, orderId) });
    return;
  }
  const money = (amountMinor: number) => ({ amountMinor: BigInt(amountMinor), currency: reservation.currency });
  const event = create(InventoryReservedSchema, {
    meta: eventMeta(EVENTS.inventoryReserved, orderId),
    customerId: reservation.customerId,
    lines: reservation.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: money(line.unitPriceMinor) })),
    total: money(reservation.totalMinor),
  });
  await publish(EVENTS.inventoryReserved, event, { msgId: eventId(EVENTS.inventoryReserved, orderId) });
}
