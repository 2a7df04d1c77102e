import { type Static, Type } from "@fastify/type-provider-typebox";
import { HttpProblem } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { PaymentStore } from "../adapters/payment-store.js";

const Params = Type.Object({ orderId: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) }, { additionalProperties: false });

export function registerPaymentRoutes(app: FastifyInstance, store: PaymentStore): void {
  app.get<{ Params: Static<typeof Params> }>(
    "/payments/:orderId",
    { schema: { params: Params } },
    async function getPaymentHandler(request) {
      const found = await store.payments.get(request.params.orderId);
      if (!found) throw new HttpProblem(404, "PAYMENT_NOT_FOUND", "Payment not found", `no payment for order ${request.params.orderId}`);
      const { orderId, status, amountMinor, currency, chargeId, failure, attempts, lastError, createdAt, updatedAt } = found.value;
      return { orderId, status, amountMinor, currency, chargeId, failure, attempts, lastError, createdAt, updatedAt };
    },
  );
}
