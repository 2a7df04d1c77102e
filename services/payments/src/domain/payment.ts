export type PaymentStatus = "PENDING" | "SUCCEEDED" | "FAILED";

/** One order's payment; the idempotency key is stored before the provider is called. */
export interface Payment {
  orderId: string;
  customerId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  chargeId?: string;
  failure?: { code: DeclineCode; reason: string };
  createdAt: string;
  updatedAt: string;
}

export type DeclineCode = "DECLINED" | "INSUFFICIENT_FUNDS";

export type ChargeResult = { outcome: "succeeded"; chargeId: string } | { outcome: "declined"; code: DeclineCode; reason: string };

/** The provider key of an order's charge: derived from the order, so every retry reuses it. */
export function idempotencyKeyFor(orderId: string): string {
  return `order-${orderId}`;
}

export function newPayment(input: { orderId: string; customerId: string; amountMinor: number; currency: string }, at: string): Payment {
  return { ...input, idempotencyKey: idempotencyKeyFor(input.orderId), status: "PENDING", createdAt: at, updatedAt: at };
}

/** Records the provider's answer; null when the payment was already settled. */
export function settle(payment: Payment, result: ChargeResult, at: string): Payment | null {
  if (payment.status !== "PENDING") return null;
  if (result.outcome === "succeeded") return { ...payment, status: "SUCCEEDED", chargeId: result.chargeId, updatedAt: at };
  return { ...payment, status: "FAILED", failure: { code: result.code, reason: result.reason }, updatedAt: at };
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
