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

/**
 * The functions that change an item (hold, release, commit, setAvailable) change it in place and
 * return it, or return null having changed nothing. The item is the caller's own copy: JsonKv hands
 * each update batch the SKU's working copy, which nothing else reads. Copying the holds map for every
 * update of a batch was inventory's busiest work under load (a hot SKU holds every order in flight).
 */
export type HoldResult = { ok: true; item: StockItem | null; holdId: string } | { ok: false; reason: "insufficient" };

/** The attempt that took the order's hold ("" for a hold of an earlier version), or undefined when it holds nothing. */
export function holdIdOf(item: StockItem, orderId: string): string | undefined {
  return Object.hasOwn(item.holds, orderId) ? (item.holdIds?.[orderId] ?? "") : undefined;
}

/**
 * Holds `quantity` for `orderId` under attempt `holdId`. An order holds once per SKU: an existing
 * hold is re-found (`item: null`, nothing to write) and its own attempt id returned.
 */
export function hold(item: StockItem, orderId: string, quantity: number, holdId: string): HoldResult {
  const existing = holdIdOf(item, orderId);
  if (existing !== undefined) return { ok: true, item: null, holdId: existing };
  if (item.available < quantity) return { ok: false, reason: "insufficient" };
  item.available -= quantity;
  item.reserved += quantity;
  item.holds[orderId] = quantity;
  item.holdIds ??= {};
  item.holdIds[orderId] = holdId;
  return { ok: true, holdId, item };
}

/** Removes the order's hold and returns its units; undefined, changing nothing, when it has none (with `holdId`: none taken by that attempt). */
function takeHold(item: StockItem, orderId: string, holdId: string | undefined): number | undefined {
  const found = holdIdOf(item, orderId);
  if (found === undefined || (holdId !== undefined && found !== holdId)) return undefined;
  const quantity = item.holds[orderId] as number;
  delete item.holds[orderId];
  if (item.holdIds) delete item.holdIds[orderId];
  item.reserved -= quantity;
  return quantity;
}

/** Returns a held quantity to available; null when there is no such hold (already released or sold). */
export function release(item: StockItem, orderId: string, holdId?: string): StockItem | null {
  const quantity = takeHold(item, orderId, holdId);
  if (quantity === undefined) return null;
  item.available += quantity;
  return item;
}

/** Turns the hold taken by `holdId` into a sale; null when there is no such hold (already sold or released). */
export function commit(item: StockItem, orderId: string, holdId: string): StockItem | null {
  const quantity = takeHold(item, orderId, holdId);
  if (quantity === undefined) return null;
  item.sold += quantity;
  return item;
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
  item.available = available;
  item.initial = available + item.reserved + item.sold;
  return item;
}
