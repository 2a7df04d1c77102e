import { trace } from "@opentelemetry/api";
import { inSpan, ORDER_ID_ATTRIBUTE, PermanentError } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import type { ReservedLine } from "../domain/reservation.js";
import { commit, release } from "../domain/stock.js";

export type Settlement = "SOLD" | "RELEASED";

const tracer = trace.getTracer("@shop/inventory");

/**
 * Payment succeeded -> the held units become sold; payment failed -> they are released (the
 * compensation). Each SKU step is a no-op when already applied, so a replay changes nothing.
 */
export interface SettleOptions {
  /**
   * How long a settlement waits for others on the same SKU to share its write. Settling is off the
   * order's path (the order is final once the payment event is stored), so it can wait longer than a hold.
   */
  lingerMs?: number;
}

/** A hold an order's reservation names: the SKU and the attempt that took it. */
export type NamedHold = Pick<ReservedLine, "sku" | "holdId">;

/**
 * `holds` are the reservation's, as the payment event carries them; without them (an event from a
 * payments version before that field) the reservation is read.
 */
export function settleReservation(
  store: InventoryStore,
  orderId: string,
  outcome: Settlement,
  options: SettleOptions = {},
  holds: readonly NamedHold[] = [],
): Promise<void> {
  const name = outcome === "SOLD" ? "commit reservation" : "release reservation (compensation)";
  const attributes = { [ORDER_ID_ATTRIBUTE]: orderId, "shop.saga.step": outcome === "SOLD" ? "commit" : "compensation" };
  return inSpan(tracer, name, { attributes }, async () => {
    await settle(store, orderId, outcome, options, holds.length > 0 ? holds : await reservedHolds(store, orderId, outcome));
  });
}

async function reservedHolds(store: InventoryStore, orderId: string, outcome: Settlement): Promise<NamedHold[]> {
  const reservation = await store.decisions.read(orderId);
  if (!reservation) throw new PermanentError("RESERVATION_NOT_FOUND", `no reservation for order ${orderId}`);
  if (reservation.status !== "RESERVED") {
    throw new PermanentError("RESERVATION_CONFLICT", `cannot mark reservation of ${orderId} ${outcome}: it is ${reservation.status}`);
  }
  return reservation.lines;
}

/**
 * Nothing is recorded but the stock: the payment event is the record of the outcome, and each SKU's
 * hold is the record of what is left to settle (a hold is committed or released once, then gone).
 */
async function settle(
  store: InventoryStore,
  orderId: string,
  outcome: Settlement,
  { lingerMs }: SettleOptions,
  holds: readonly NamedHold[],
) {
  const apply = outcome === "SOLD" ? commit : release;
  const linger = lingerMs === undefined ? {} : { lingerMs };
  // Only the hold the reservation names: one taken again after the order was settled is not its.
  await Promise.all(
    holds.map((named) => store.stock.update(named.sku, (current) => (current ? apply(current, orderId, named.holdId) : null), linger)),
  );
}
