/** Title and description of the payments service's OpenAPI document (/openapi.json, /docs). */
export const PAYMENTS_API = {
  title: "Payments API",
  description: [
    "Charges each reserved order once through the (simulated) payment provider: the provider key is derived from the order,",
    "so every retry reuses it. A breaker stops calls while the provider fails; a payment without an answer by",
    "`PAYMENT_DEADLINE_MS` is voided at the provider and fails.",
    "",
    "`GET /payments/{orderId}` shows a payment, its failed attempts and last error. The `/admin` routes change the simulated",
    "provider's faults at run time and need `Authorization: Bearer <ADMIN_TOKEN>`; without `ADMIN_TOKEN` configured they",
    "answer `403`. Errors are `application/problem+json` (RFC 9457).",
  ].join("\n"),
};
