/** Title and description of the inventory service's OpenAPI document (/openapi.json, /docs). */
export const INVENTORY_API = {
  title: "Inventory API",
  description: [
    "The catalog and its stock. Inventory reserves every line of an order or none, at the catalog's prices, and",
    "releases the reservation when the payment fails.",
    "",
    "`GET /inventory` lists the catalog: every SKU with its stock and price, in ascending SKU order, `limit` per page",
    "(default 50, at most 200). Each answer is `{items, nextCursor?}`; pass `nextCursor` as `after` for the next page,",
    "and stop when it is absent. Pages are stable: the same SKUs come back in the same order.",
    "",
    "Stock: `available + reserved + sold` is what was counted in. Prices are in minor units (cents).",
    "The `/admin` routes need `Authorization: Bearer <ADMIN_TOKEN>`; without `ADMIN_TOKEN` configured they answer `403`.",
    "Errors are `application/problem+json` (RFC 9457).",
  ].join("\n"),
};
