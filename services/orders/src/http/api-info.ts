/** Title and description of the orders service's OpenAPI document (/openapi.json, /docs). */
export const ORDERS_API = {
  title: "Orders API",
  description: [
    "Accepts orders and shows how their saga ends: `CONFIRMED`, `REJECTED` or `CANCELLED`.",
    "",
    "`POST /orders` answers `202` only once the order is durable in NATS JetStream; if NATS is unreachable it answers `503`",
    "instead. Send an `Idempotency-Key` to retry safely. Prices come from the inventory catalog, never from the client.",
    "",
    "Errors are `application/problem+json` (RFC 9457). Bodies are JSON only (`415` otherwise), at most 64 KiB (`413`),",
    "validated without type coercion. Under load the service sheds requests with `503` and `Retry-After`.",
  ].join("\n"),
};
