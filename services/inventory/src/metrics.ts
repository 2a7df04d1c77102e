import { Counter, Gauge, type Registry } from "prom-client";
import type { InventoryStore } from "./adapters/inventory-store.js";

const STATES = ["available", "reserved", "sold"] as const;

/**
 * Stock per SKU and state, read from KV at scrape time (SKUs are a bounded catalog, not an unbounded
 * label). The bucket is shared by every replica: register this in the system registry, scraped once.
 */
export function registerStockGauges(registry: Registry, store: InventoryStore): void {
  new Gauge({
    name: "inventory_stock_units",
    help: "Units of each SKU by state (available, reserved, sold).",
    labelNames: ["sku", "state"],
    registers: [registry],
    async collect() {
      for (const sku of await store.stock.keys()) {
        const item = (await store.stock.get(sku))?.value;
        if (!item) continue;
        for (const state of STATES) this.set({ sku, state }, item[state]);
      }
    },
  });
}

/** Holds this replica's sweep released (per replica: replicas sweeping at once release each hold once between them). */
export function createStaleHoldCounter(registry: Registry): Counter {
  return new Counter({
    name: "inventory_stale_holds_released_total",
    help: "Holds released by this replica's sweep (of rejected orders, or named by no reservation: left by an attempt that stopped mid-decision).",
    registers: [registry],
  });
}
