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

  const items = await Promise.all(lines.map((line) => store.stock.get(line.sku)));
  const unknown = lines.filter((_, i) => !items[i]).map((line) => line.sku);
  if (unknown.length > 0) return rejected("UNKNOWN_SKU", unknown);
  const currencies = new Set(items.map((item) => item?.value.currency));
  if (currencies.size > 1)
    return rejected(
      "MIXED_CURRENCY",
      lines.map((line) => line.sku),
    );

  const reserved: ReservedLine[] = [];
  let short: string | undefined;
  // A stable order keeps concurrent multi-line orders from repeatedly invalidating each other.
  for (const line of [...lines].sort((a, b) => a.sku.localeCompare(b.sku))) {
    let outcome: HoldResult = { ok: false, reason: "insufficient" };
    let unitPriceMinor = 0;
    await store.stock.update(line.sku, (current) => {
      if (!current) return null;
      outcome = hold(current, orderId, line.quantity);
      unitPriceMinor = current.priceMinor;
      return outcome.ok ? outcome.item : null;
    });
    if (!outcome.ok) {
      short = line.sku;
      break;
    }
    reserved.push({ sku: line.sku, quantity: line.quantity, unitPriceMinor });
  }
  if (short !== undefined) {
    for (const line of reserved) await store.stock.update(line.sku, (current) => (current ? release(current, orderId) : null));
    return rejected("OUT_OF_STOCK", [short]);
  }
  const priced = lines.map((line) => reserved.find((r) => r.sku === line.sku) as ReservedLine);
  return {
    orderId,
    customerId,
    status: "RESERVED",
    lines: priced,
    totalMinor: totalOf(priced),
    currency: [...currencies][0] ?? "",
    updatedAt,
  };
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
