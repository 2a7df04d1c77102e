import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv } from "@shop/eventbus";
import type { StockItem } from "../domain/stock.js";
import { DecisionRecord } from "./decision-record.js";

export interface InventoryStore {
  stock: JsonKv<StockItem>;
  /** The decisions, as their events record them. */
  decisions: DecisionRecord;
}

/** `stockLingerMs`: how long a stock update waits for others on the same SKU to share its write. */
export async function createInventoryStore(bus: Bus, { stockLingerMs = 0 }: { stockLingerMs?: number } = {}): Promise<InventoryStore> {
  return {
    stock: await bus.kv<StockItem>(BUCKETS.stock, { lingerMs: stockLingerMs }),
    decisions: new DecisionRecord(bus.events()),
  };
}
