/**
 * Stock of one SKU. Invariant: initial = available + reserved + sold, available >= 0.
 * `holds` names the orders whose reservation is in `reserved`, so replaying an event is a no-op.
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
}

export type HoldResult = { ok: true; item: StockItem | null } | { ok: false; reason: "insufficient" };

/** Holds `quantity` for `orderId`; `item: null` means it was already held (nothing to write). */
export function hold(item: StockItem, orderId: string, quantity: number): HoldResult {
  if (item.holds[orderId] !== undefined) return { ok: true, item: null };
  if (item.available < quantity) return { ok: false, reason: "insufficient" };
  return {
    ok: true,
    item: {
      ...item,
      available: item.available - quantity,
      reserved: item.reserved + quantity,
      holds: { ...item.holds, [orderId]: quantity },
    },
  };
}

/** Returns a held quantity to available; null when there is no hold (already released or sold). */
export function release(item: StockItem, orderId: string): StockItem | null {
  const quantity = item.holds[orderId];
  if (quantity === undefined) return null;
  const { [orderId]: _released, ...holds } = item.holds;
  return { ...item, available: item.available + quantity, reserved: item.reserved - quantity, holds };
}

/** Turns a hold into a sale; null when there is no hold (already sold or released). */
export function commit(item: StockItem, orderId: string): StockItem | null {
  const quantity = item.holds[orderId];
  if (quantity === undefined) return null;
  const { [orderId]: _sold, ...holds } = item.holds;
  return { ...item, reserved: item.reserved - quantity, sold: item.sold + quantity, holds };
}

export function newStockItem(sku: string, name: string, priceMinor: number, currency: string, quantity: number): StockItem {
  return { sku, name, priceMinor, currency, initial: quantity, available: quantity, reserved: 0, sold: 0, holds: {} };
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
