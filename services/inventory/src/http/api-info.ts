/** Title and description of the inventory service's OpenAPI document (/openapi.json, /docs). */
export const INVENTORY_API = {
  title: "Inventory API",
  description: [
    "The catalog and its stock. Inventory reserves every line of an order or none, at the catalog's prices, and",
    "releases the reservation when the payment fails.",
    "",
    "Stock: `available + reserved + sold` is what was counted in. Prices are in minor units (cents).",
    "The `/admin` routes need `Authorization: Bearer <ADMIN_TOKEN>`; without `ADMIN_TOKEN` configured they answer `403`.",
    "Errors are `application/problem+json` (RFC 9457).",
  ].join("\n"),
};
