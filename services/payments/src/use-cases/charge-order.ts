import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, FailureReason, PaymentFailedSchema, PaymentSucceededSchema } from "@shop/contracts";
import type { Publish } from "@shop/eventbus";
import type { ChargeRequest } from "../adapters/fake-provider.js";
import type { PaymentStore } from "../adapters/payment-store.js";
import { type ChargeResult, newPayment, type Payment, settle } from "../domain/payment.js";

export interface ChargeOrderDeps {
  store: PaymentStore;
  /** The provider call, behind the circuit breaker. */
  charge: (request: ChargeRequest) => Promise<ChargeResult>;
  publish: Publish;
  now?: () => Date;
}

export interface ChargeOrderInput {
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
}

/**
 * Charges an order at most once: the payment (with its provider idempotency key) is stored before
 * the call, a failed or timed-out call is retried with the same key, and a settled payment only
 * republishes its outcome.
 */
export async function chargeOrder(deps: ChargeOrderDeps, input: ChargeOrderInput): Promise<Payment> {
  const { store, now = () => new Date() } = deps;
  let payment = (await store.payments.get(input.orderId))?.value;
  if (!payment) {
    await store.payments.create(input.orderId, newPayment(input, now().toISOString()));
    payment = (await store.payments.get(input.orderId))?.value;
    if (!payment) throw new Error(`payment of ${input.orderId} vanished`);
  }
  if (payment.status === "PENDING") {
    const { idempotencyKey, orderId, customerId, amountMinor, currency } = payment;
    const result = await deps.charge({ idempotencyKey, orderId, customerId, amountMinor, currency });
    payment =
      (await store.payments.update(orderId, (current) => (current ? settle(current, result, now().toISOString()) : null))) ?? payment;
  }
  await publishOutcome(deps.publish, payment);
  return payment;
}

async function publishOutcome(publish: Publish, payment: Payment): Promise<void> {
  const amount = { amountMinor: BigInt(payment.amountMinor), currency: payment.currency };
  if (payment.status === "SUCCEEDED") {
    const event = create(PaymentSucceededSchema, {
      meta: eventMeta(EVENTS.paymentSucceeded, payment.orderId),
      amount,
      providerChargeId: payment.chargeId ?? "",
    });
    await publish(EVENTS.paymentSucceeded, event, { msgId: eventId(EVENTS.paymentSucceeded, payment.orderId) });
  } else if (payment.status === "FAILED") {
    const event = create(PaymentFailedSchema, {
      meta: eventMeta(EVENTS.paymentFailed, payment.orderId),
      amount,
      reason: payment.failure?.code === "INSUFFICIENT_FUNDS" ? FailureReason.INSUFFICIENT_FUNDS : FailureReason.DECLINED,
      detail: payment.failure?.reason ?? "declined",
    });
    await publish(EVENTS.paymentFailed, event, { msgId: eventId(EVENTS.paymentFailed, payment.orderId) });
  }
}
