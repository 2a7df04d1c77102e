import { describe, expect, it } from "vitest";
import { completeVoid, decideCharge, isOverdue, newPayment, type Payment, recordFailedAttempt, settle, startVoiding } from "./payment.js";

const rules = { declineAboveMinor: 10_000 };

describe("payment rules", () => {
  it("declines by customer prefix and by amount, approves otherwise", () => {
    expect(decideCharge("decline-1", 100, rules)).toMatchObject({ outcome: "declined", code: "DECLINED" });
    expect(decideCharge("nofunds-1", 100, rules)).toMatchObject({ outcome: "declined", code: "INSUFFICIENT_FUNDS" });
    expect(decideCharge("c-1", 10_001, rules)).toMatchObject({ outcome: "declined", code: "DECLINED" });
    expect(decideCharge("c-1", 10_000, rules)).toEqual({ outcome: "approve" });
  });

  it("the idempotency key derives from the order, and a settled payment stays settled", () => {
    const payment = newPayment({ orderId: "o-1", customerId: "c", amountMinor: 5, currency: "EUR" }, "t0");
    expect(payment.idempotencyKey).toBe("order-o-1");
    const paid = settle(payment, { outcome: "succeeded", chargeId: "ch-1" }, "t1");
    expect(paid).toMatchObject({ status: "SUCCEEDED", chargeId: "ch-1" });
    expect(paid && settle(paid, { outcome: "declined", code: "DECLINED", reason: "x" }, "t2")).toBeNull();
  });
});

describe("payment deadline", () => {
  const created = newPayment({ orderId: "o-1", customerId: "c", amountMinor: 5, currency: "EUR" }, "2026-01-01T00:00:00.000Z");

  it("a pending payment past the deadline is overdue and moves to VOIDING; a settled one never is", () => {
    const later = new Date("2026-01-01T00:02:00.001Z");
    expect(isOverdue(created, later, 120_000)).toBe(true);
    expect(isOverdue(created, new Date("2026-01-01T00:01:59.000Z"), 120_000)).toBe(false);
    const paid = settle(created, { outcome: "succeeded", chargeId: "ch" }, "t") as Payment;
    expect(isOverdue(paid, later, 120_000)).toBe(false);
    expect(startVoiding(paid, "t")).toBeNull();
    expect(startVoiding(created, "t")?.status).toBe("VOIDING");
  });

  it("a completed void fails the payment with the provider-unavailable reason, saying whether money was refunded", () => {
    const voiding = startVoiding(created, "t") as Payment;
    expect(settle(voiding, { outcome: "succeeded", chargeId: "late" }, "t")).toBeNull();
    expect(completeVoid(voiding, "refunded", "t")).toMatchObject({
      status: "FAILED",
      failure: { code: "PROVIDER_UNAVAILABLE", reason: expect.stringMatching(/refunded/) },
    });
    expect(completeVoid(voiding, "nothing-charged", "t")?.failure?.reason).toMatch(/nothing was charged/);
  });

  it("counts provider calls that ended without an answer", () => {
    expect(recordFailedAttempt(created, "timeout", "t")).toMatchObject({ attempts: 1, lastError: "timeout" });
  });
});
