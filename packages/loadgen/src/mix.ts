/** The order mix of a realistic shop: 1-5 lines, hot SKUs, some sold out, some declined payments. */
export interface OrderMix {
  hotSkus: string[];
  hotShare: number;
  outOfStockShare: number;
  declineShare: number;
  /** Share of requests sent a second time with the same Idempotency-Key and body. */
  retryShare: number;
}

export const DEFAULT_MIX: OrderMix = {
  hotSkus: ["MUG-RED", "TEE-M"],
  hotShare: 0.3,
  outOfStockShare: 0.05,
  declineShare: 0.05,
  retryShare: 0.05,
};

/** The SKU the mix orders to get rejections: it is meant to have no stock. */
export const SOLD_OUT_SKU = "SOLD-OUT-SNEAKER";

const CATALOG = ["MUG-RED", "MUG-BLUE", "TEE-M", "TEE-L", "POSTER-A2", "LAMP-DESK", "KEYBOARD"];

export interface OrderRequest {
  customerId: string;
  items: { sku: string; quantity: number }[];
  retry: boolean;
}

/** The i-th request of a run; deterministic, so two runs send the same mix. */
export function orderFor(i: number, mix: OrderMix, runId: string): OrderRequest {
  const roll = (n: number) => (((i * 2654435761 + n * 40503) >>> 0) % 10_000) / 10_000;
  const lines = 1 + Math.floor(roll(1) * 5);
  const skus = new Set<string>();
  if (roll(2) < mix.hotShare) skus.add(mix.hotSkus[i % mix.hotSkus.length] as string);
  if (roll(3) < mix.outOfStockShare) skus.add(SOLD_OUT_SKU);
  for (let k = 0; skus.size < lines && k < 20; k++) skus.add(CATALOG[Math.floor(roll(10 + k) * CATALOG.length)] as string);
  return {
    customerId: `${roll(4) < mix.declineShare ? "decline" : "load"}-${runId}-${i}`,
    items: [...skus].map((sku, k) => ({ sku, quantity: 1 + ((i + k) % 3) })),
    retry: roll(5) < mix.retryShare,
  };
}
