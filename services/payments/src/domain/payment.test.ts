import { describe, expect, it } from "vitest";
import { ABANDONED, decideCharge, idempotencyKeyFor, isOverdue, needsVoid, outcomeOf } from "./payment.js";

const rules = { declineAboveMinor: 10_000 };

describe("payment rules", () => {
  it("declines by customer prefix and by amount, approves otherwise", () => {
    expect(decideCharge("decline-1", 100, rules)).toMatchObject({ outcome: "declined", code: "DECLINED" });
    expect(decideCharge("nofunds-1", 100, rules)).toMatchObject({ outcome: "declined", code: "INSUFFICIENT_FUNDS" });
    expect(decideCharge("c-1", 10_001, rules)).toMatchObject({ outcome: "declined", code: "DECLINED" });
    expect(decideCharge("c-1", 10_000, rules)).toEqual({ outcome: "approve" });
  });

  it("the idempotency key derives from the order; a provider answer becomes the outcome", () => {
    expect(idempotencyKeyFor("o-1")).toBe("order-o-1");
    expect(outcomeOf({ outcome: "succeeded", chargeId: "ch-1" })).toEqual({ status: "SUCCEEDED", chargeId: "ch-1" });
    expect(outcomeOf({ outcome: "declined", code: "INSUFFICIENT_FUNDS", reason: "x" })).toEqual({
      status: "FAILED",
      failure: { code: "INSUFFICIENT_FUNDS", reason: "x" },
    });
  });
});

describe("payment deadline", () => {
  const reservedAt = Date.parse("2026-01-01T00:00:00.000Z");

  it("a retried payment past the deadline is overdue; before it, or on a first delivery, it is not", () => {
    expect(isOverdue(reservedAt, reservedAt + 120_001, 120_000, true)).toBe(true);
    expect(isOverdue(reservedAt, reservedAt + 119_000, 120_000, true)).toBe(false);
    expect(isOverdue(reservedAt, reservedAt + 600_000, 120_000, false)).toBe(false);
  });

  it("only a payment given up at the deadline obliges a void; a decline or a success does not", () => {
    expect(needsVoid(ABANDONED)).toBe(true);
    expect(needsVoid(outcomeOf({ outcome: "declined", code: "DECLINED", reason: "card declined" }))).toBe(false);
    expect(needsVoid(outcomeOf({ outcome: "succeeded", chargeId: "ch" }))).toBe(false);
  });
});
