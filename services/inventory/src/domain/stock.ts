/**
 * Stock of one SKU. Invariant: initial = available + reserved + sold, available >= 0.
 * `holds` names the orders whose reservation is in `reserved`, so replaying an event is a no-op;
 * `holdIds` the attempt that took each hold, which the order's decision names: only a named hold is
 * settled, and one no decision names (taken again after its order was settled) is released.
 */
export interface StockItem {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  initial: number;
  available: number;
  reserved: number;
  sold: number;
  holds: Record<string, number>;
  /** Attempt id of each hold in `holds` (a hold of an earlier version has none: ""). */
  holdIds?: Record<string, string>;
}

export type HoldResult = { ok: true; item: StockItem | null; holdId: string } | { ok: false; reason: "insufficient" };

/** The attempt that took the order's hold ("" for a hold of an earlier version), or undefined when it holds nothing. */
export function holdIdOf(item: StockItem, orderId: string): string | undefined {
  return item.holds[orderId] === undefined ? undefined : (item.holdIds?.[orderId] ?? "");
}

/**
 * Holds `quantity` for `orderId` under attempt `holdId`. An order holds once per SKU: an existing
 * hold is re-found (`item: null`, nothing to write) and its own attempt id returned.
 */
export function hold(item: StockItem, orderId: string, quantity: number, holdId: string): HoldResult {
  const existing = holdIdOf(item, orderId);
  if (existing !== undefined) return { ok: true, item: null, holdId: existing };
  if (item.available < quantity) return { ok: false, reason: "insufficient" };
  return {
    ok: true,
    holdId,
    item: {
      ...item,
      available: item.available - quantity,
      reserved: item.reserved + quantity,
      holds: { ...item.holds, [orderId]: quantity },
      holdIds: { ...item.holdIds, [orderId]: holdId },
    },
  };
}

/** The item without the order's hold, or null when it has none (or, with `holdId`, none taken by that attempt). */
function withoutHold(item: StockItem, orderId: string, holdId: string | undefined): { item: StockItem; quantity: number } | null {
  const quantity = item.holds[orderId];
  if (quantity === undefined || (holdId !== undefined && holdIdOf(item, orderId) !== holdId)) return null;
  return { item: { ...item, holds: without(item.holds, orderId), holdIds: without(item.holdIds ?? {}, orderId) }, quantity };
}

/**
 * A copy of `map` without `key`. A for-in copy, not rest destructuring: with tens of holds per SKU,
 * `{ [key]: _, ...rest }` took about twice as long, and it was the busiest function of ours in
 * inventory's CPU profile under load.
 */
function without<V>(map: Record<string, V>, key: string): Record<string, V> {
  const copy: Record<string, V> = {};
  for (const k in map) if (k !== key) copy[k] = map[k] as V;
  return copy;
}

/** Returns a held quantity to available; null when there is no such hold (already released or sold). */
export function release(item: StockItem, orderId: string, holdId?: string): StockItem | null {
  const found = withoutHold(item, orderId, holdId);
  if (!found) return null;
  return { ...found.item, available: item.available + found.quantity, reserved: item.reserved - found.quantity };
}

/** Turns the hold taken by `holdId` into a sale; null when there is no such hold (already sold or released). */
export function commit(item: StockItem, orderId: string, holdId: string): StockItem | null {
  const found = withoutHold(item, orderId, holdId);
  if (!found) return null;
  return { ...found.item, reserved: item.reserved - found.quantity, sold: item.sold + found.quantity };
}

export function newStockItem(sku: string, name: string, priceMinor: number, currency: string, quantity: number): StockItem {
  return { sku, name, priceMinor, currency, initial: quantity, available: quantity, reserved: 0, sold: 0, holds: {}, holdIds: {} };
}

export function invariantHolds(item: StockItem): boolean {
  const held = Object.values(item.holds).reduce((sum, q) => sum + q, 0);
  return item.available >= 0 && item.initial === item.available + item.reserved + item.sold && held === item.reserved;
}

/** An operator's stock count: available becomes `available`, initial moves with it so the invariant holds. */
export function setAvailable(item: StockItem, available: number): StockItem {
  if (!Number.isSafeInteger(available) || available < 0) throw new RangeError(`available must be a whole number >= 0, got ${available}`);
  return { ...item, available, initial: available + item.reserved + item.sold };
}
