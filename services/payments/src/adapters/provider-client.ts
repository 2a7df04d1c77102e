import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ORDER_ID_ATTRIBUTE } from "@shop/eventbus";
import type { ChargeResult } from "../domain/payment.js";
import type { ChargeRequest, PaymentProvider } from "./fake-provider.js";

const tracer = trace.getTracer("@shop/payments");

/** The outbound provider call as a CLIENT span: what a real PSP client would record. */
export function tracedCharge(provider: PaymentProvider): (request: ChargeRequest) => Promise<ChargeResult> {
  return (request) =>
    tracer.startActiveSpan(
      "charge payment-provider",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ORDER_ID_ATTRIBUTE]: request.orderId,
          "peer.service": "payment-provider",
          "payment.idempotency_key": request.idempotencyKey,
          "payment.amount_minor": request.amountMinor,
          "payment.currency": request.currency,
        },
      },
      async (span) => {
        try {
          const result = await provider.charge(request);
          span.setAttribute("payment.outcome", result.outcome);
          return result;
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
}
