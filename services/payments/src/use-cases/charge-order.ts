import { create } from "@bufbuild/protobuf";
import { EVENTS, eventId, eventMeta, FailureReason, PaymentFailedSchema, PaymentSucceededSchema } from "@shop/contracts";
import { type Publish, RetryableError } from "@shop/eventbus";
import type { SagaMetrics } from "@shop/telemetry";
import type { ChargeRequest, PaymentProvider } from "../adapters/fake-provider.js";
import { readOutcome } from "../adapters/payment-record.js";
import type { PaymentStore } from "../adapters/payment-store.js";
import { ABANDONED, idempotencyKeyFor, isOverdue, needsVoid, outcomeOf, type PaymentOutcome } from "../domain/payment.js";

export interface ChargeOrderDeps {
  store: PaymentStore;
  /** The provider, behind the circuit breaker. */
  provider: PaymentProvider;
  publish: Publish;
  /** A retried payment still without an answer this long after the reservation is given up and its key voided. */
  deadlineMs: number;
  /** Counts the order's outcome when this publish stores it. */
  saga?: SagaMetrics;
  now?: () => number;
}

export interface ChargeOrderInput {
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  /** From the event's meta: when the order was placed (0 when an older producer did not say). */
  orderPlacedAtMs: number;
  /** When the reservation was stored (the delivered message's stream time): the deadline counts from it. */
  reservedAtMs: number;
  /** This delivery is not the first: an earlier attempt got no answer (or its handler died). */
  retried: boolean;
  /** The holds the reservation names, carried in the outcome so inventory settles them without reading the reservation. */
  holds: { sku: string; holdId: string }[];
}

/**
 * Charges an order at most once, with no record but the outcome event. The provider key derives
 * from the order, so every retry, redelivery and replica asks the provider the same question and
 * gets the same answer; a failed or timed-out call is "unknown" and the message is retried. A
 * retried payment past the deadline is given up: the failure is recorded first, then the key is
 * voided (a lost charge is refunded, a late one refused), so money is never kept for an order that
 * is not confirmed.
 *
 * Both outcomes share one subject per order, fenced: the first stored is the payment's outcome,
 * whichever replica or delivery stores it. A publish refused by the fence reads the stored outcome
 * and honours it: a payment given up at the deadline gets its key voided by whoever meets it, so a
 * charge that lands after the give-up is refunded even if the handler that gave up died.
 */
export async function chargeOrder(deps: ChargeOrderDeps, input: ChargeOrderInput): Promise<PaymentOutcome> {
  const { now = Date.now } = deps;
  const request: ChargeRequest = {
    idempotencyKey: idempotencyKeyFor(input.orderId),
    orderId: input.orderId,
    customerId: input.customerId,
    amountMinor: input.amountMinor,
    currency: input.currency,
  };
  if (isOverdue(input.reservedAtMs, now(), deps.deadlineMs, input.retried)) return settle(deps, input, request, ABANDONED);
  // Throws when there is no answer: the message is retried with the same key.
  const result = await deps.provider.charge(request);
  return settle(deps, input, request, outcomeOf(result));
}

/** Stores `outcome` unless the order has one, and returns the one stored, voiding the key where it says so. */
async function settle(
  deps: ChargeOrderDeps,
  input: ChargeOrderInput,
  request: ChargeRequest,
  outcome: PaymentOutcome,
): Promise<PaymentOutcome> {
  const stored = await publishOutcome(deps, input, outcome);
  const recorded = stored ? outcome : (await readOutcome(deps.store.events, input.orderId))?.outcome;
  if (!recorded) throw new RetryableError("OUTCOME_NOT_FOUND", `payment outcome of ${input.orderId} refused as stored but not found`);
  if (needsVoid(recorded)) await deps.provider.void(request);
  return recorded;
}

const FAILURE_REASONS = {
  DECLINED: FailureReason.DECLINED,
  INSUFFICIENT_FUNDS: FailureReason.INSUFFICIENT_FUNDS,
  PROVIDER_UNAVAILABLE: FailureReason.PROVIDER_UNAVAILABLE,
} as const;

/** Publishes the outcome fenced on the order's payment subject; false when one was already stored. */
async function publishOutcome({ publish, saga }: ChargeOrderDeps, input: ChargeOrderInput, outcome: PaymentOutcome): Promise<boolean> {
  const amount = { amountMinor: BigInt(input.amountMinor), currency: input.currency };
  const placed = input.orderPlacedAtMs || input.reservedAtMs;
  if (outcome.status === "SUCCEEDED") {
    const event = create(PaymentSucceededSchema, {
      meta: eventMeta(EVENTS.paymentSucceeded, input.orderId, placed),
      amount,
      providerChargeId: outcome.chargeId,
      holds: input.holds,
    });
    const ack = await publish(EVENTS.paymentSucceeded, event, {
      msgId: eventId(EVENTS.paymentSucceeded, input.orderId),
      firstOfSubject: true,
    });
    if (!ack.duplicate) saga?.finished("confirmed", placed, { amountMinor: input.amountMinor, currency: input.currency });
    return !ack.duplicate;
  }
  const event = create(PaymentFailedSchema, {
    meta: eventMeta(EVENTS.paymentFailed, input.orderId, placed),
    amount,
    reason: FAILURE_REASONS[outcome.failure.code],
    detail: outcome.failure.reason,
    holds: input.holds,
  });
  const ack = await publish(EVENTS.paymentFailed, event, { msgId: eventId(EVENTS.paymentFailed, input.orderId), firstOfSubject: true });
  if (!ack.duplicate) saga?.finished("cancelled", placed);
  return !ack.duplicate;
}
