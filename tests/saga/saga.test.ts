import { EVENTS, eventSubject, type InventoryReserved, type PaymentSucceeded, STREAMS } from "@shop/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

const catalog = [
  { sku: "MUG", name: "Mug", priceMinor: 1_250, currency: "EUR", quantity: 1_000 },
  { sku: "LAMP", name: "Lamp", priceMinor: 4_900, currency: "EUR", quantity: 100 },
  { sku: "RARE", name: "Rare print", priceMinor: 25_000, currency: "EUR", quantity: 1 },
  { sku: "GONE", name: "Sold out", priceMinor: 9_900, currency: "EUR", quantity: 0 },
  { sku: "HOT", name: "Hot item", priceMinor: 1_000, currency: "EUR", quantity: 10 },
];

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({ catalog });
});
afterAll(async () => {
  await stack?.close();
});

async function place(body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const res = await stack.postOrder(body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.orderId as string;
}

describe("order saga over JetStream", () => {
  it("happy path: the order is CONFIRMED, the stock moves from reserved to sold, and the card is charged exactly once", async () => {
    const before = await stack.stock("MUG");
    const res = await stack.postOrder({ customerId: "c-happy", items: [{ sku: "MUG", quantity: 2 }] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "PENDING" });
    const orderId = res.body.orderId as string;
    expect(res.headers.location).toBe(`/orders/${orderId}`);
    // Read-your-writes: the order is there right after the 202.
    expect(await stack.getOrder(orderId)).toMatchObject({ orderId, customerId: "c-happy" });

    const order = await stack.waitForOrder(orderId);
    expect(order).toMatchObject({
      status: "CONFIRMED",
      totalMinor: 2_500,
      currency: "EUR",
      items: [{ sku: "MUG", quantity: 2, unitPriceMinor: 1_250 }],
    });
    await stack.settled();
    const after = await stack.stock("MUG");
    expect(after).toMatchObject({ available: before.available - 2, reserved: 0, sold: before.sold + 2, holds: {} });
    const charges = await stack.charges(orderId);
    expect(charges).toHaveLength(1);
    expect(charges[0]?.result?.outcome).toBe("succeeded");
    expect(charges[0]?.request.amountMinor).toBe(2_500);
    // The payment's event names the reservation's holds, so inventory settles without reading the reservation back.
    const events = stack.probe.events();
    const reserved = (await events.last(STREAMS.inventory.name, eventSubject(EVENTS.inventoryReserved, orderId)))
      ?.message as InventoryReserved;
    const paid = (await events.last(STREAMS.payments.name, eventSubject(EVENTS.paymentSucceeded, orderId)))?.message as PaymentSucceeded;
    expect(reserved.lines[0]?.holdId).not.toBe("");
    expect(paid.holds.map((h) => [h.sku, h.holdId])).toEqual(reserved.lines.map((l) => [l.sku, l.holdId]));
  });

  it("when stock runs out, the order is REJECTED and nothing is reserved or charged", async () => {
    const orderId = await place({ customerId: "c-1", items: [{ sku: "GONE", quantity: 1 }] });
    expect(await stack.waitForOrder(orderId)).toMatchObject({ status: "REJECTED", reason: "out of stock: GONE" });
    await stack.settled();
    expect(await stack.stock("GONE")).toMatchObject({ available: 0, reserved: 0, sold: 0 });
    expect(await stack.charges(orderId)).toHaveLength(0);
    expect((await stack.payments.http.inject({ method: "GET", url: `/payments/${orderId}` })).statusCode).toBe(404);
  });

  it("an unknown SKU gets the order REJECTED and nothing is charged", async () => {
    const orderId = await place({ customerId: "c-1", items: [{ sku: "NO-SUCH-SKU", quantity: 1 }] });
    expect(await stack.waitForOrder(orderId)).toMatchObject({ status: "REJECTED", reason: "unknown SKU: NO-SUCH-SKU" });
    await stack.settled();
    expect(await stack.charges(orderId)).toHaveLength(0);
  });

  it("a multi-line order where one line is short reserves nothing at all", async () => {
    const [mug, lamp] = [await stack.stock("MUG"), await stack.stock("LAMP")];
    const orderId = await place({
      customerId: "c-1",
      items: [
        { sku: "MUG", quantity: 3 },
        { sku: "LAMP", quantity: 1 },
        { sku: "RARE", quantity: 2 },
      ],
    });
    expect(await stack.waitForOrder(orderId)).toMatchObject({ status: "REJECTED", reason: "out of stock: RARE" });
    await stack.settled();
    expect(await stack.stock("MUG")).toMatchObject({ available: mug.available, reserved: 0, sold: mug.sold });
    expect(await stack.stock("LAMP")).toMatchObject({ available: lamp.available, reserved: 0, sold: lamp.sold });
    expect(await stack.stock("RARE")).toMatchObject({ available: 1, reserved: 0 });
    expect(await stack.charges(orderId)).toHaveLength(0);
  });

  it("a declined payment CANCELS the order and releases its stock (compensation)", async () => {
    const lamp = await stack.stock("LAMP");
    const orderId = await place({ customerId: "decline-7", items: [{ sku: "LAMP", quantity: 4 }] });
    expect(await stack.waitForOrder(orderId)).toMatchObject({ status: "CANCELLED", reason: "payment failed: card declined" });
    await stack.settled();
    expect(await stack.stock("LAMP")).toMatchObject({ available: lamp.available, reserved: 0, sold: lamp.sold, holds: {} });
    const charges = await stack.charges(orderId);
    expect(charges.map((c) => c.result?.outcome)).toEqual(["declined"]);
    expect((await stack.payments.http.inject({ method: "GET", url: `/payments/${orderId}` })).json()).toMatchObject({
      status: "FAILED",
      failure: { code: "DECLINED" },
    });
  });

  it("the same Idempotency-Key twice gives the same order once; with another body it is refused with 422", async () => {
    const body = { customerId: "c-idem", items: [{ sku: "MUG", quantity: 1 }] };
    const ordersBefore = await stack.streamMessages("ORDERS");
    const first = await stack.postOrder(body, { "idempotency-key": "key-123" });
    const second = await stack.postOrder(body, { "idempotency-key": "key-123" });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(await stack.streamMessages("ORDERS")).toBe(ordersBefore + 1);

    const other = await stack.postOrder({ ...body, items: [{ sku: "MUG", quantity: 2 }] }, { "idempotency-key": "key-123" });
    expect(other.status).toBe(422);
    expect(other.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(await stack.streamMessages("ORDERS")).toBe(ordersBefore + 1);
    await stack.waitForOrder(first.body.orderId as string);
    expect(await stack.charges(first.body.orderId as string)).toHaveLength(1);
  });

  it("50 concurrent orders for a SKU with 10 units: exactly 10 sold, none oversold, every order terminal", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => stack.postOrder({ customerId: `c-rush-${i}`, items: [{ sku: "HOT", quantity: 1 }] })),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    const orders = await Promise.all(results.map((r) => stack.waitForOrder(r.body.orderId as string)));
    const byStatus: Record<string, number> = {};
    for (const order of orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
    expect(byStatus).toEqual({ CONFIRMED: 10, REJECTED: 40 });
    await stack.settled();
    const hot = await stack.stock("HOT");
    expect(hot).toMatchObject({ initial: 10, available: 0, reserved: 0, sold: 10 });
    expect(hot.available + hot.reserved + hot.sold).toBe(hot.initial);
    const charged = await Promise.all(orders.map(async (o) => (await stack.charges(o.orderId)).length));
    expect(charged.reduce((a, b) => a + b, 0)).toBe(10);
  });
});
