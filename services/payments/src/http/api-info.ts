/** Title and description of the payments service's OpenAPI document (/openapi.json, /docs). */
export const PAYMENTS_API = {
  title: "Payments API",
  description: [
    "Charges each reserved order once through the (simulated) payment provider: the provider key is derived from the order,",
    "so every retry reuses it. A breaker stops calls while the provider fails; a retried payment still without an answer",
    "`PAYMENT_DEADLINE_MS` after the reservation fails, and its key is then voided at the provider.",
    "",
    "`GET /payments/{orderId}` shows a payment as its events tell it (PENDING while reserved, then its outcome). The `/admin` routes change the simulated",
    "provider's faults at run time and need `Authorization: Bearer <ADMIN_TOKEN>`; without `ADMIN_TOKEN` configured they",
    "answer `403`. Errors are `application/problem+json` (RFC 9457).",
  ].join("\n"),
};
