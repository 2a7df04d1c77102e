import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, InventoryRejectedSchema, InventoryReservedSchema, RejectionReason } from "@shop/contracts";
import { type Publish, RetryableError } from "@shop/eventbus";
import type { SagaMetrics } from "@shop/telemetry";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { type Reservation, type ReservedLine, totalOf } from "../domain/reservation.js";
import { type HoldResult, hold, release } from "../domain/stock.js";

export interface InventoryDeps {
  store: InventoryStore;
  publish: Publish;
  /** Counts a rejected order when this publish stores its rejection. */
  saga?: SagaMetrics;
  now?: () => Date;
}

export interface ReserveOrderInput {
  orderId: string;
  customerId: string;
  lines: { sku: string; quantity: number }[];
  /** When the order was placed, carried on to the next events (saga timing); now when unknown. */
  orderPlacedAtMs?: number;
}

/**
 * Reserves every line or none. Holds are keyed by order, so a redelivered event re-finds its own
 * holds instead of taking stock twice. The decision is its event, published once on the order's
 * decision subject (fenced: reserved and rejected share it), and is never made again once stored.
 *
 * Two replicas (or a redelivery and the first delivery) may decide one order at once, each from
 * what it read: the decision stored first counts. Holds are made to match it only after it is
 * stored: a rejected order's holds are released, whoever took them, and nothing is released
 * before, since a decision to reject could lose to another replica's RESERVED that counts on them.
 * A replica killed after holding and before meeting the stored rejection (another replica having
 * acked the message) leaves its hold behind: the hold sweep (release-stale-holds.ts) releases it.
 */
export async function reserveOrder(deps: InventoryDeps, input: ReserveOrderInput): Promise<Reservation> {
  const { store } = deps;
  // Read first even on a first delivery: a killed broker can roll a consumer back, so a message
  // already handled comes again as a first delivery, and holding again after its order was settled
  // would leave a hold nobody settles. The fenced publish below decides between concurrent attempts.
  const existing = await store.decisions.read(input.orderId);
  const final = existing ?? (await recordDecision(deps, input));
  if (final.status === "REJECTED") await releaseHolds(store, input.orderId, input.lines);
  return final;
}

/** Decides, then stores the decision unless another attempt stored one first; returns the one stored. */
async function recordDecision(deps: InventoryDeps, input: ReserveOrderInput): Promise<Reservation> {
  const { store } = deps;
  const decision = await decide(deps, input);
  if (await publishDecision(deps, decision, input.orderPlacedAtMs || Date.now())) {
    store.decisions.remember(decision);
    return decision;
  }
  const recorded = await store.decisions.read(input.orderId);
  if (!recorded) throw new RetryableError("DECISION_NOT_FOUND", `decision of ${input.orderId} refused as stored but not found`);
  return recorded;
}

/** Returns the order's held units on every line to available (a no-op where it holds none). */
async function releaseHolds(store: InventoryStore, orderId: string, lines: readonly { sku: string }[]): Promise<void> {
  await Promise.all(lines.map((line) => store.stock.update(line.sku, (current) => (current ? release(current, orderId) : null))));
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
  // whole, the holds it did take are released once the rejection is recorded (see reserveOrder).
  const attempts = await Promise.all(lines.map((line) => holdLine(store, orderId, line)));
  const unknown = attempts.filter((a) => a.outcome === "unknown").map((a) => a.sku);
  const currencies = new Set(attempts.filter((a) => a.outcome !== "unknown").map((a) => a.currency));
  const short = attempts.find((a) => a.outcome === "short");
  if (unknown.length > 0 || currencies.size > 1 || short) {
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

/** Publishes the decision fenced on the order's decision subject; false when one was already stored. */
async function publishDecision({ publish, saga }: InventoryDeps, reservation: Reservation, placedAtMs: number): Promise<boolean> {
  const { orderId } = reservation;
  if (reservation.status === "REJECTED") {
    const event = create(InventoryRejectedSchema, {
      meta: eventMeta(EVENTS.inventoryRejected, orderId, placedAtMs),
      reason: RejectionReason[reservation.rejection?.reason ?? "UNSPECIFIED"],
      skus: reservation.rejection?.skus ?? [],
      detail: `${reservation.rejection?.reason ?? "rejected"}`,
    });
    const ack = await publish(EVENTS.inventoryRejected, event, { msgId: eventId(EVENTS.inventoryRejected, orderId), firstOfSubject: true });
    if (!ack.duplicate) saga?.finished("rejected", placedAtMs);
    return !ack.duplicate;
  }
  const money = (amountMinor: number) => ({ amountMinor: BigInt(amountMinor), currency: reservation.currency });
  const event = create(InventoryReservedSchema, {
    meta: eventMeta(EVENTS.inventoryReserved, orderId, placedAtMs),
    customerId: reservation.customerId,
    lines: reservation.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: money(line.unitPriceMinor) })),
    total: money(reservation.totalMinor),
  });
  const ack = await publish(EVENTS.inventoryReserved, event, { msgId: eventId(EVENTS.inventoryReserved, orderId), firstOfSubject: true });
  return !ack.duplicate;
}
