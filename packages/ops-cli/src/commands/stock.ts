import type { Output } from "../output.js";

/** Sets a SKU's available units through inventory's admin API (which keeps the stock invariant). */
export async function stockSet(
  out: Output,
  inventoryUrl: string,
  adminToken: string | undefined,
  sku: string,
  available: number,
): Promise<void> {
  const res = await fetch(`${inventoryUrl}/admin/stock/${encodeURIComponent(sku)}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}) },
    body: JSON.stringify({ available }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`inventory answered ${res.status}: ${(body as { detail?: string }).detail ?? JSON.stringify(body)}`);
  out.object(body);
}
