import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, InventoryRejectedSchema, InventoryReservedSchema, RejectionReason } from "@shop/contracts";
import { type Publish, RetryableError } from "@shop/eventbus";
import type { SagaMetrics } from "@shop/telemetry";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { namesHold, type Reservation, type ReservedLine, totalOf } from "../domain/reservation.js";
import { hold, release } from "../domain/stock.js";

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
 * Reserves every line or none. The decision is its event, published once on the order's decision
 * subject (fenced: reserved and rejected share it); nothing is read before deciding.
 *
 * Each attempt holds under an id of its own, and an order holds once per SKU: an attempt that
 * finds the order's hold re-finds it (and names its id). A reservation names the hold of each
 * line, and only a named hold is ever settled. So when an attempt's publish is refused (another
 * attempt, replica or an earlier delivery stored the decision first, or the message came again
 * after its order was settled, as a broker crash can make happen) it reads the stored decision and
 * follows it: a rejection releases the order's holds, whoever took them; a reservation leaves the
 * holds it names and releases the ones this attempt took that it does not name. Nothing is released
 * before the decision is stored, since a rejection could lose to a reservation that counts on it.
 * An attempt killed before meeting the stored decision leaves its hold behind: the hold sweep
 * (release-stale-holds.ts) releases holds of rejected orders and holds no reservation names.
 */
export async function reserveOrder(deps: InventoryDeps, input: ReserveOrderInput): Promise<Reservation> {
  const { store } = deps;
  const holdId = nextHoldId();
  const decision = await decide(deps, input, holdId);
  if (await publishDecision(deps, decision, input.orderPlacedAtMs || Date.now())) {
    if (decision.status === "REJECTED") await releaseHolds(store, input.orderId, input.lines);
    return decision;
  }
  const stored = await store.decisions.read(input.orderId);
  if (!stored) throw new RetryableError("DECISION_NOT_FOUND", `decision of ${input.orderId} refused as stored but not found`);
  if (stored.status === "REJECTED") await releaseHolds(store, input.orderId, input.lines);
  else
    await releaseHolds(
      store,
      input.orderId,
      input.lines.filter((line) => !namesHold(stored, line.sku, holdId)),
      holdId,
    );
  return stored;
}

/** This process's random prefix and a counter: unique per attempt without a getrandom call per order (randomBytes cost 2% of inventory's CPU). */
const HOLD_ID_PREFIX = randomBytes(6).toString("base64url");
let holdCounter = 0;
const nextHoldId = () => `${HOLD_ID_PREFIX}${(holdCounter++).toString(36)}`;

/** Returns the order's held units on `lines` to available (with `holdId`: only holds that attempt took). */
async function releaseHolds(store: InventoryStore, orderId: string, lines: readonly { sku: string }[], holdId?: string): Promise<void> {
  await Promise.all(lines.map((line) => store.stock.update(line.sku, (current) => (current ? release(current, orderId, holdId) : null))));
}

async function decide(
  { store, now = () => new Date() }: InventoryDeps,
  { orderId, customerId, lines }: ReserveOrderInput,
  holdId: string,
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
  // whole, the holds are released once the rejection is stored (see reserveOrder).
  const attempts = await Promise.all(lines.map((line) => holdLine(store, orderId, line, holdId)));
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
  const reserved: ReservedLine[] = attempts.map((a) => ({
    sku: a.sku,
    quantity: a.quantity,
    unitPriceMinor: a.unitPriceMinor,
    holdId: a.holdId,
  }));
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
  /** The hold's attempt id: this attempt's, or the one of a hold the order already had. */
  holdId: string;
}

async function holdLine(
  store: InventoryStore,
  orderId: string,
  line: { sku: string; quantity: number },
  holdId: string,
): Promise<LineAttempt> {
  const attempt: LineAttempt = { ...line, outcome: "unknown", unitPriceMinor: 0, currency: "", holdId };
  await store.stock.update(line.sku, (current) => {
    if (!current) {
      attempt.outcome = "unknown";
      return null;
    }
    const result = hold(current, orderId, line.quantity, holdId);
    Object.assign(attempt, {
      outcome: result.ok ? "held" : "short",
      unitPriceMinor: current.priceMinor,
      currency: current.currency,
      holdId: result.ok ? result.holdId : holdId,
    });
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
    lines: reservation.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: money(line.unitPriceMinor),
      holdId: line.holdId,
    })),
    total: money(reservation.totalMinor),
  });
  const ack = await publish(EVENTS.inventoryReserved, event, { msgId: eventId(EVENTS.inventoryReserved, orderId), firstOfSubject: true });
  return !ack.duplicate;
}
