import { trace } from "@opentelemetry/api";
import { inSpan, ORDER_ID_ATTRIBUTE, PermanentError } from "@shop/eventbus";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { commit, release } from "../domain/stock.js";

export type Settlement = "SOLD" | "RELEASED";

const tracer = trace.getTracer("@shop/inventory");

/**
 * Payment succeeded -> the held units become sold; payment failed -> they are released (the
 * compensation). Each SKU step is a no-op when already applied, so a replay changes nothing.
 */
export function settleReservation(store: InventoryStore, orderId: string, outcome: Settlement, now = () => new Date()): Promise<void> {
  const name = outcome === "SOLD" ? "commit reservation" : "release reservation (compensation)";
  const attributes = { [ORDER_ID_ATTRIBUTE]: orderId, "shop.saga.step": outcome === "SOLD" ? "commit" : "compensation" };
  return inSpan(tracer, name, { attributes }, () => settle(store, orderId, outcome, now));
}

async function settle(store: InventoryStore, orderId: string, outcome: Settlement, now: () => Date): Promise<void> {
  // Usually answered from the cache; a stale answer only meets the compare-and-set below.
  const found = await store.reservations.readOwn(orderId);
  if (!found) throw new PermanentError("RESERVATION_NOT_FOUND", `no reservation for order ${orderId}`);
  const reservation = found.value;
  if (reservation.status === outcome) return;
  if (reservation.status !== "RESERVED") {
    throw new PermanentError("RESERVATION_CONFLICT", `cannot mark reservation of ${orderId} ${outcome}: it is ${reservation.status}`);
  }
  const apply = outcome === "SOLD" ? commit : release;
  await Promise.all(reservation.lines.map((line) => store.stock.update(line.sku, (current) => (current ? apply(current, orderId) : null))));
  await store.reservations.update(orderId, (current) =>
    current?.status === "RESERVED" ? { ...current, status: outcome, updatedAt: now().toISOString() } : null,
  );
}
