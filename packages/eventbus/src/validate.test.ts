import { describe, expect, it } from "vitest";
import { PermanentError } from "./errors.js";
import { requireOrderId } from "./validate.js";

describe("requireOrderId", () => {
  it("accepts the ids orders makes (UUIDs) and other ids of the allowed characters", () => {
    expect(requireOrderId({ meta: { orderId: "4f718b05-3f48-4df5-8cfb-9ffa117d77c2" } })).toBe("4f718b05-3f48-4df5-8cfb-9ffa117d77c2");
    expect(requireOrderId({ meta: { orderId: "constructor" } })).toBe("constructor");
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["a subject token separator", "a.b"],
    ["a wildcard", "a*"],
    ["too long", "x".repeat(65)],
    ["__proto__ (cannot be a key of a plain object map)", "__proto__"],
  ])("refuses an id that is %s as a permanent error (the event goes to the DLQ)", (_, orderId) => {
    const event = orderId === undefined ? {} : { meta: { orderId } };
    expect(() => requireOrderId(event)).toThrow(PermanentError);
  });
});
