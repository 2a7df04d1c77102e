import { type Static, Type } from "@fastify/type-provider-typebox";
import { apiProblems, HttpProblem, jsonResponse, problemResponse } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import { readPayment } from "../adapters/payment-record.js";
import type { PaymentStore } from "../adapters/payment-store.js";

const Params = Type.Object({ orderId: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) }, { additionalProperties: false });

/** An order's payment as its events tell it. */
const PaymentView = Type.Object({
  orderId: Type.String(),
  status: Type.Union(
    ["PENDING", "SUCCEEDED", "FAILED"].map((s) => Type.Literal(s)),
    { description: "PENDING: stock is reserved and the charge is under way; SUCCEEDED and FAILED are final (the outcome event)." },
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
  reservedAt: Type.Optional(Type.String({ format: "date-time", description: "When stock was reserved; the deadline counts from here." })),
  settledAt: Type.Optional(Type.String({ format: "date-time", description: "When the outcome was stored." })),
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
      const found = await readPayment(store.events, request.params.orderId);
      if (!found) throw new HttpProblem(404, "PAYMENT_NOT_FOUND", "Payment not found", `no payment for order ${request.params.orderId}`);
      return found;
    },
  );
}
