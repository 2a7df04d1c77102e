import { describe, expect, it } from "vitest";
import { decideCharge, newPayment, settle } from "./payment.js";

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
