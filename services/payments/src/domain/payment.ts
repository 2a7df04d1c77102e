/**
 * PENDING: stock is reserved and the charge is under way. SUCCEEDED / FAILED: the outcome event is
 * stored, the record of the payment (there is no other).
 */
export type PaymentStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export type DeclineCode = "DECLINED" | "INSUFFICIENT_FUNDS";
export type FailureCode = DeclineCode | "PROVIDER_UNAVAILABLE";

export type ChargeResult = { outcome: "succeeded"; chargeId: string } | { outcome: "declined"; code: DeclineCode; reason: string };

/** What a payment ended in: the content of its outcome event. */
export type PaymentOutcome =
  | { status: "SUCCEEDED"; chargeId: string }
  | { status: "FAILED"; failure: { code: FailureCode; reason: string } };

/** The provider key of an order's charge: derived from the order, so every retry and replica reuses it. */
export function idempotencyKeyFor(orderId: string): string {
  return `order-${orderId}`;
}

export function outcomeOf(result: ChargeResult): PaymentOutcome {
  return result.outcome === "succeeded"
    ? { status: "SUCCEEDED", chargeId: result.chargeId }
    : { status: "FAILED", failure: { code: result.code, reason: result.reason } };
}

/** A payment given up at the deadline; its key is voided after this is recorded. */
export const ABANDONED: PaymentOutcome = {
  status: "FAILED",
  failure: {
    code: "PROVIDER_UNAVAILABLE",
    reason: "payment provider unavailable until the deadline; the key is voided (a charge that went through is refunded)",
  },
};

/** An outcome that obliges whoever meets it to void the key: the payment was given up at the deadline. */
export function needsVoid(outcome: PaymentOutcome): boolean {
  return outcome.status === "FAILED" && outcome.failure.code === "PROVIDER_UNAVAILABLE";
}

/**
 * Past the deadline (counted from the reservation, the same on every delivery and replica) a
 * retried payment is given up. A first delivery always tries the provider: a backlog that waited
 * out the deadline (payments down, say) is charged, not cancelled unasked.
 */
export function isOverdue(reservedAtMs: number, nowMs: number, deadlineMs: number, retried: boolean): boolean {
  return retried && nowMs - reservedAtMs > deadlineMs;
}

export interface DeclineRules {
  /** Amounts above this are declined. */
  declineAboveMinor: number;
}

/** Deterministic decisions of the simulated provider: by customer prefix, then by amount. */
export function decideCharge(customerId: string, amountMinor: number, rules: DeclineRules): ChargeResult | { outcome: "approve" } {
  if (customerId.startsWith("decline")) return { outcome: "declined", code: "DECLINED", reason: "card declined" };
  if (customerId.startsWith("nofunds")) return { outcome: "declined", code: "INSUFFICIENT_FUNDS", reason: "insufficient funds" };
  if (amountMinor > rules.declineAboveMinor)
    return { outcome: "declined", code: "DECLINED", reason: `amount above limit of ${rules.declineAboveMinor}` };
  return { outcome: "approve" };
}
