import { DEFAULT_MIX, type OrderMix, orderFor, SOLD_OUT_SKU } from "@shop/loadgen";

/** Units of each SKU the first `orders` requests of a load run ask for (the mix is deterministic; retries reuse their order). */
export function demandOf(orders: number, mix: OrderMix = DEFAULT_MIX): Map<string, number> {
  const demand = new Map<string, number>();
  for (let i = 0; i < orders; i++) {
    for (const { sku, quantity } of orderFor(i, mix, "demand").items) demand.set(sku, (demand.get(sku) ?? 0) + quantity);
  }
  return demand;
}

/**
 * Sets the stock of every SKU a load run of `orders` requests uses to what it asks for plus a margin,
 * through inventory's admin API, so no SKU sells out mid-run and later steps do not turn into
 * cheaper rejections; the SKU the mix means to be sold out is set to 0. Returns the counts set.
 */
export async function stockForRun(inventoryUrl: string, adminToken: string, orders: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [sku, units] of demandOf(orders)) counts[sku] = sku === SOLD_OUT_SKU ? 0 : Math.ceil(units * 1.1) + 100;
  counts[SOLD_OUT_SKU] = 0;
  for (const [sku, available] of Object.entries(counts)) {
    const res = await fetch(`${inventoryUrl}/admin/stock/${encodeURIComponent(sku)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ available }),
    });
    if (!res.ok) throw new Error(`PUT /admin/stock/${sku} answered ${res.status}: ${await res.text()}`);
  }
  return counts;
}
