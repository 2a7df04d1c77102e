import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, FailureReason, PaymentFailedSchema, PaymentSucceededSchema } from "@shop/contracts";
import { errorMessage, type Publish } from "@shop/eventbus";
import type { ChargeRequest, PaymentProvider } from "../adapters/fake-provider.js";
import type { PaymentStore } from "../adapters/payment-store.js";
import { completeVoid, isOverdue, newPayment, type Payment, recordFailedAttempt, settle, startVoiding } from "../domain/payment.js";

export interface ChargeOrderDeps {
  store: PaymentStore;
  /** The provider, behind the circuit breaker. */
  provider: PaymentProvider;
  publish: Publish;
  /** A payment without an answer after this long is abandoned and its key voided. */
  deadlineMs: number;
  now?: () => Date;
}

export interface ChargeOrderInput {
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
}

/**
 * Charges an order at most once. The payment (with its provider idempotency key) is stored before
 * the call; a failed or timed-out call is "unknown" and retried with the same key until the
 * deadline; then the key is voided (a lost charge is refunded, a late one refused) and the payment
 * fails, so money is never kept for an order that is not confirmed. A settled payment only
 * republishes its outcome.
 */
export async function chargeOrder(deps: ChargeOrderDeps, input: ChargeOrderInput): Promise<Payment> {
  const { store, now = () => new Date() } = deps;
  const update = async (change: (current: Payment) => Payment | null): Promise<Payment> => {
    const stored = await store.payments.update(input.orderId, (current) => (current ? change(current) : null));
    if (!stored) throw new Error(`payment of ${input.orderId} vanished`);
    return stored;
  };
  const fresh = newPayment(input, now().toISOString());
  let payment = (await store.payments.create(input.orderId, fresh)) ? fresh : (await store.payments.get(input.orderId))?.value;
  if (!payment) throw new Error(`payment of ${input.orderId} vanished`);

  if (isOverdue(payment, now(), deps.deadlineMs)) payment = await update((p) => startVoiding(p, now().toISOString()));
  const request = requestOf(payment);
  if (payment.status === "PENDING" || payment.status === "VOIDING") {
    try {
      if (payment.status === "PENDING") {
        const result = await deps.provider.charge(request);
        payment = await update((p) => settle(p, result, now().toISOString()));
      } else {
        const outcome = await deps.provider.void(request);
        payment = await update((p) => completeVoid(p, outcome, now().toISOString()));
      }
    } catch (err) {
      await update((p) => recordFailedAttempt(p, errorMessage(err), now().toISOString()));
      throw err;
    }
  }
  await publishOutcome(deps.publish, payment);
  return payment;
}

function requestOf({ idempotencyKey, orderId, customerId, amountMinor, currency }: Payment): ChargeRequest {
  return { idempotencyKey, orderId, customerId, amountMinor, currency };
}

const FAILURE_REASONS = {
  DECLINED: FailureReason.DECLINED,
  INSUFFICIENT_FUNDS: FailureReason.INSUFFICIENT_FUNDS,
  PROVIDER_UNAVAILABLE: FailureReason.PROVIDER_UNAVAILABLE,
} as const;

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
      reason: FAILURE_REASONS[payment.failure?.code ?? "DECLINED"],
      detail: payment.failure?.reason ?? "declined",
    });
    await publish(EVENTS.paymentFailed, event, { msgId: eventId(EVENTS.paymentFailed, payment.orderId) });
  }
}
