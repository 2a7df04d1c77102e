import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv } from "@shop/eventbus";
import type { Reservation } from "../domain/reservation.js";
import type { StockItem } from "../domain/stock.js";

export interface InventoryStore {
  stock: JsonKv<StockItem>;
  reservations: JsonKv<Reservation>;
}

export async function createInventoryStore(bus: Bus): Promise<InventoryStore> {
  return { stock: await bus.kv<StockItem>(BUCKETS.stock), reservations: await bus.kv<Reservation>(BUCKETS.reservations) };
}
