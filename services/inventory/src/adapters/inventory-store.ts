import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv } from "@shop/eventbus";
import type { Reservation } from "../domain/reservation.js";
import type { StockItem } from "../domain/stock.js";

export interface InventoryStore {
  stock: JsonKv<StockItem>;
  reservations: JsonKv<Reservation>;
}

/** `stockLingerMs`: how long a stock update waits for others on the same SKU to share its write. */
export async function createInventoryStore(bus: Bus, { stockLingerMs = 0 }: { stockLingerMs?: number } = {}): Promise<InventoryStore> {
  return {
    stock: await bus.kv<StockItem>(BUCKETS.stock, { lingerMs: stockLingerMs }),
    reservations: await bus.kv<Reservation>(BUCKETS.reservations),
  };
}
