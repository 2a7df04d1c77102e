import { type Static, Type } from "@fastify/type-provider-typebox";
import { apiProblems, HttpProblem, jsonResponse, problemResponse } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { PaymentStore } from "../adapters/payment-store.js";

const Params = Type.Object({ orderId: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) }, { additionalProperties: false });

/** Every field of Payment but the customer and the provider key. */
const PaymentView = Type.Object({
  orderId: Type.String(),
  status: Type.Union(
    ["PENDING", "VOIDING", "SUCCEEDED", "FAILED"].map((s) => Type.Literal(s)),
    {
      description: "PENDING: calling the provider; VOIDING: past the deadline, voiding the key; SUCCEEDED and FAILED are final.",
    },
  ),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  chargeId: Type.Optional(Type.String({ description: "The provider's charge, once SUCCEEDED." })),
  failure: Type.Optional(
    Type.Object({
      code: Type.Union(["DECLINED", "INSUFFICIENT_FUNDS", "PROVIDER_UNAVAILABLE"].map((s) => Type.Literal(s))),
      reason: Type.String(),
    }),
  ),
  attempts: Type.Integer({ description: "Provider calls that ended without an answer (errors, timeouts, lost responses)." }),
  lastError: Type.Optional(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export function registerPaymentRoutes(app: FastifyInstance, store: PaymentStore): void {
  app.get<{ Params: Static<typeof Params> }>(
    "/payments/:orderId",
    {
      schema: {
        tags: ["payments"],
        summary: "An order's payment",
        params: Params,
        response: {
          200: jsonResponse("The payment.", PaymentView),
          400: problemResponse("Malformed order id."),
          404: problemResponse("No payment for this order (yet: it starts once stock is reserved)."),
          ...apiProblems(),
        },
      },
    },
    async function getPaymentHandler(request) {
      const found = await store.payments.get(request.params.orderId);
      if (!found) throw new HttpProblem(404, "PAYMENT_NOT_FOUND", "Payment not found", `no payment for order ${request.params.orderId}`);
      const { orderId, status, amountMinor, currency, chargeId, failure, attempts, lastError, createdAt, updatedAt } = found.value;
      return { orderId, status, amountMinor, currency, chargeId, failure, attempts, lastError, createdAt, updatedAt };
    },
  );
}
