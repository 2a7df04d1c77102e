import { newStockItem, type StockItem } from "../domain/stock.js";
import type { InventoryStore } from "./inventory-store.js";

export interface CatalogEntry {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  quantity: number;
}

export const DEMO_CATALOG: readonly CatalogEntry[] = [
  { sku: "MUG-RED", name: "Red mug", priceMinor: 1_250, currency: "EUR", quantity: 1_000_000 },
  { sku: "MUG-BLUE", name: "Blue mug", priceMinor: 1_250, currency: "EUR", quantity: 1_000_000 },
  { sku: "TEE-M", name: "T-shirt, size M", priceMinor: 2_400, currency: "EUR", quantity: 500_000 },
  { sku: "TEE-L", name: "T-shirt, size L", priceMinor: 2_400, currency: "EUR", quantity: 500_000 },
  { sku: "POSTER-A2", name: "Poster A2", priceMinor: 1_800, currency: "EUR", quantity: 200_000 },
  { sku: "LAMP-DESK", name: "Desk lamp", priceMinor: 4_900, currency: "EUR", quantity: 50_000 },
  { sku: "KEYBOARD", name: "Mechanical keyboard", priceMinor: 12_900, currency: "EUR", quantity: 20_000 },
  { sku: "LIMITED-PRINT", name: "Signed print (limited)", priceMinor: 25_000, currency: "EUR", quantity: 10 },
  { sku: "SOLD-OUT-SNEAKER", name: "Sneaker (sold out)", priceMinor: 9_900, currency: "EUR", quantity: 0 },
];

/** Writes each SKU that does not exist yet; existing stock is never overwritten. Returns the SKUs created. */
export async function seedCatalog(store: InventoryStore, catalog: readonly CatalogEntry[]): Promise<string[]> {
  const created: string[] = [];
  for (const entry of catalog) {
    const item: StockItem = newStockItem(entry.sku, entry.name, entry.priceMinor, entry.currency, entry.quantity);
    if (await store.stock.create(entry.sku, item)) created.push(entry.sku);
  }
  return created;
}
