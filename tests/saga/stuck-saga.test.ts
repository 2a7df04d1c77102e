import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

const ADMIN_TOKEN = "stuck-saga-test-admin-token";
let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({
    catalog: [{ sku: "LAMP", name: "Lamp", priceMinor: 4_900, currency: "EUR", quantity: 10 }],
    paymentsEnv: {
      ADMIN_TOKEN,
      PAYMENT_OUTAGE: "true",
      PAYMENT_DEADLINE_MS: "1000",
      BREAKER_RESET_TIMEOUT_MS: "200",
      BREAKER_VOLUME_THRESHOLD: "2",
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

describe("a saga stuck on an unavailable payment provider", () => {
  it("shows why while it waits, then after the deadline is cancelled with its stock released, and its key voided once the provider is back", async () => {
    const res = await stack.postOrder({ customerId: "c-stuck", items: [{ sku: "LAMP", quantity: 3 }] });
    const orderId = res.body.orderId as string;
    const waiting = await stack.waitForOrder(orderId, ["RESERVED"]);
    expect(waiting).toMatchObject({ waitingFor: "payment", ageSeconds: expect.any(Number) });
    expect(await stack.stock("LAMP")).toMatchObject({ available: 7, reserved: 3 });

    // Past the deadline the payment is given up: the order is cancelled at once...
    const order = await stack.waitForOrder(orderId);
    expect(order).toMatchObject({ status: "CANCELLED", reason: expect.stringMatching(/payment provider unavailable until the deadline/) });
    expect(order).not.toHaveProperty("waitingFor");
    // ...and the key's void waits for the provider: nothing reached it yet.
    expect(await stack.charges(orderId)).toHaveLength(0);
    const back = await stack.payments.http.inject({
      method: "PUT",
      url: "/admin/provider/faults",
      payload: { outage: false },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(back.statusCode).toBe(200);

    await stack.settled();
    expect(await stack.stock("LAMP")).toMatchObject({ available: 10, reserved: 0, sold: 0 });
    const charges = await stack.charges(orderId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ voidedAt: expect.any(String) });
    expect(charges[0]?.result).toBeUndefined();
    expect(await stack.deadLetters()).toEqual([]);
  });
});
