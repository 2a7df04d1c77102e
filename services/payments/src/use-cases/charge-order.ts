import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, FailureReason, PaymentFailedSchema, PaymentSucceededSchema } from "@shop/contracts";
import { errorMessage, type Publish } from "@shop/eventbus";
import type { SagaMetrics } from "@shop/telemetry";
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
  /** Counts the order's outcome when this publish stores it. */
  saga?: SagaMetrics;
  now?: () => Date;
}

export interface ChargeOrderInput {
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  /** From the event's meta: when the order was placed (0 when an older producer did not say). */
  orderPlacedAtMs: number;
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
  const { orderPlacedAtMs: _placed, ...charge } = input;
  const fresh = newPayment(charge, now().toISOString());
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
  await publishOutcome(deps, payment, input.orderPlacedAtMs);
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

/** Publishes the settled outcome once per order (fenced on its subject); a republish is a duplicate. */
async function publishOutcome({ publish, saga }: ChargeOrderDeps, payment: Payment, placedAtMs: number): Promise<void> {
  const amount = { amountMinor: BigInt(payment.amountMinor), currency: payment.currency };
  const placed = placedAtMs || Date.parse(payment.createdAt);
  if (payment.status === "SUCCEEDED") {
    const event = create(PaymentSucceededSchema, {
      meta: eventMeta(EVENTS.paymentSucceeded, payment.orderId, placed),
      amount,
      providerChargeId: payment.chargeId ?? "",
    });
    const ack = await publish(EVENTS.paymentSucceeded, event, {
      msgId: eventId(EVENTS.paymentSucceeded, payment.orderId),
      firstOfSubject: true,
    });
    if (!ack.duplicate) saga?.finished("confirmed", placed, { amountMinor: payment.amountMinor, currency: payment.currency });
  } else if (payment.status === "FAILED") {
    const event = create(PaymentFailedSchema, {
      meta: eventMeta(EVENTS.paymentFailed, payment.orderId, placed),
      amount,
      reason: FAILURE_REASONS[payment.failure?.code ?? "DECLINED"],
      detail: payment.failure?.reason ?? "declined",
    });
    const ack = await publish(EVENTS.paymentFailed, event, { msgId: eventId(EVENTS.paymentFailed, payment.orderId), firstOfSubject: true });
    if (!ack.duplicate) saga?.finished("cancelled", placed);
  }
}
