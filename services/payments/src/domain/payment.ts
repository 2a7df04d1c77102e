/**
 * PENDING: the key is stored, the provider is being called. VOIDING: the deadline passed without an
 * answer, the key is being voided at the provider. SUCCEEDED / FAILED: settled.
 */
export type PaymentStatus = "PENDING" | "VOIDING" | "SUCCEEDED" | "FAILED";

export type DeclineCode = "DECLINED" | "INSUFFICIENT_FUNDS";
export type FailureCode = DeclineCode | "PROVIDER_UNAVAILABLE";

/** One order's payment; the idempotency key is stored before the provider is called. */
export interface Payment {
  orderId: string;
  customerId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  /** Provider calls that failed without an answer (errors, timeouts, lost responses). */
  attempts: number;
  lastError?: string;
  chargeId?: string;
  failure?: { code: FailureCode; reason: string };
  createdAt: string;
  updatedAt: string;
}

export type ChargeResult = { outcome: "succeeded"; chargeId: string } | { outcome: "declined"; code: DeclineCode; reason: string };

/** The provider key of an order's charge: derived from the order, so every retry reuses it. */
export function idempotencyKeyFor(orderId: string): string {
  return `order-${orderId}`;
}

export function newPayment(input: { orderId: string; customerId: string; amountMinor: number; currency: string }, at: string): Payment {
  return { ...input, idempotencyKey: idempotencyKeyFor(input.orderId), status: "PENDING", attempts: 0, createdAt: at, updatedAt: at };
}

/** Records the provider's answer; null when the payment is no longer waiting for one. */
export function settle(payment: Payment, result: ChargeResult, at: string): Payment | null {
  if (payment.status !== "PENDING") return null;
  if (result.outcome === "succeeded") return { ...payment, status: "SUCCEEDED", chargeId: result.chargeId, updatedAt: at };
  return { ...payment, status: "FAILED", failure: { code: result.code, reason: result.reason }, updatedAt: at };
}

/** Counts a provider call that ended without an answer. */
export function recordFailedAttempt(payment: Payment, error: string, at: string): Payment | null {
  if (payment.status !== "PENDING" && payment.status !== "VOIDING") return null;
  return { ...payment, attempts: payment.attempts + 1, lastError: error, updatedAt: at };
}

/** A payment still without an answer after the deadline is abandoned: its key gets voided. */
export function isOverdue(payment: Payment, now: Date, deadlineMs: number): boolean {
  return payment.status === "PENDING" && now.getTime() - Date.parse(payment.createdAt) > deadlineMs;
}

export function startVoiding(payment: Payment, at: string): Payment | null {
  return payment.status === "PENDING" ? { ...payment, status: "VOIDING", updatedAt: at } : null;
}

/** The void went through: the payment fails (and the saga compensates), whatever the provider had done. */
export function completeVoid(payment: Payment, outcome: "refunded" | "nothing-charged", at: string): Payment | null {
  if (payment.status !== "VOIDING") return null;
  const reason = `payment provider unavailable until the deadline; ${outcome === "refunded" ? "the charge was refunded" : "nothing was charged"}`;
  return { ...payment, status: "FAILED", failure: { code: "PROVIDER_UNAVAILABLE", reason }, updatedAt: at };
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
