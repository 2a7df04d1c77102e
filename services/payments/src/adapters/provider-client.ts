import { SpanKind, trace } from "@opentelemetry/api";
import { inSpan, ORDER_ID_ATTRIBUTE } from "@shop/eventbus";
import type { ChargeRequest, PaymentProvider } from "./fake-provider.js";

const tracer = trace.getTracer("@shop/payments");

/**
 * The provider as the saga calls it: every call through the circuit breaker (`guard`) and recorded
 * as a CLIENT span, as a real PSP client would be.
 */
export function providerClient(provider: PaymentProvider, guard: <T>(call: () => Promise<T>) => Promise<T>): PaymentProvider {
  const traced =
    <T>(operation: "charge" | "void", call: (request: ChargeRequest) => Promise<T>, outcome: (result: T) => string) =>
    (request: ChargeRequest): Promise<T> =>
      inSpan(
        tracer,
        `${operation} payment-provider`,
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
          const result = await guard(() => call(request));
          span.setAttribute("payment.outcome", outcome(result));
          return result;
        },
      );
  return {
    charge: traced(
      "charge",
      (r) => provider.charge(r),
      (result) => result.outcome,
    ),
    void: traced(
      "void",
      (r) => provider.void(r),
      (result) => result,
    ),
  };
}
