import { create, toBinary } from "@bufbuild/protobuf";
import {
  CONSUMERS,
  EVENTS,
  eventMeta,
  eventSubject,
  type InventoryReserved,
  InventoryReservedSchema,
  OrderCreatedSchema,
  PaymentSucceededSchema,
} from "@shop/contracts";
import { waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onOrderCreated } from "../../services/inventory/src/handlers/on-order-created.js";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

const catalog = [{ sku: "MUG", name: "Mug", priceMinor: 1_250, currency: "EUR", quantity: 100 }];

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({ catalog });
});
afterAll(async () => {
  await stack?.close();
});

async function confirmedOrder(customerId: string, quantity: number): Promise<string> {
  const res = await stack.postOrder({ customerId, items: [{ sku: "MUG", quantity }] });
  expect(res.status).toBe(202);
  const orderId = res.body.orderId as string;
  expect((await stack.waitForOrder(orderId)).status).toBe("CONFIRMED");
  await stack.settled();
  return orderId;
}

describe("delivery guarantees", () => {
  it("every event of a finished saga published again (new message ids, past dedupe) changes nothing twice", async () => {
    const orderId = await confirmedOrder("c-dup", 3);
    const mugBefore = await stack.stock("MUG");
    const created = create(OrderCreatedSchema, {
      meta: eventMeta(EVENTS.orderCreated, orderId),
      customerId: "c-dup",
      lines: [{ sku: "MUG", quantity: 3 }],
    });
    const money = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
    const reserved: InventoryReserved = create(InventoryReservedSchema, {
      meta: eventMeta(EVENTS.inventoryReserved, orderId),
      customerId: "c-dup",
      lines: [{ sku: "MUG", quantity: 3, unitPrice: money(1_250n) }],
      total: money(3_750n),
    });
    const paid = create(PaymentSucceededSchema, {
      meta: eventMeta(EVENTS.paymentSucceeded, orderId),
      amount: money(3_750n),
      providerChargeId: "x",
    });
    await stack.probe.publish(EVENTS.orderCreated, created, { msgId: `replay-1-${orderId}` });
    await stack.probe.publish(EVENTS.inventoryReserved, reserved, { msgId: `replay-2-${orderId}` });
    await stack.probe.publish(EVENTS.paymentSucceeded, paid, { msgId: `replay-3-${orderId}` });
    await stack.settled();

    expect(await stack.stock("MUG")).toEqual(mugBefore);
    expect(await stack.charges(orderId)).toHaveLength(1);
    expect((await stack.getOrder(orderId))?.status).toBe("CONFIRMED");
    expect(await stack.deadLetters()).toHaveLength(0);
  });

  it("the same message id published twice is dropped by JetStream and processed once", async () => {
    const ordersBefore = await stack.streamMessages("INVENTORY");
    const orderId = await confirmedOrder("c-dedupe", 1);
    const reserved = create(InventoryReservedSchema, {
      meta: eventMeta(EVENTS.inventoryReserved, orderId),
      customerId: "c-dedupe",
      lines: [{ sku: "MUG", quantity: 1, unitPrice: { amountMinor: 1_250n, currency: "EUR" } }],
      total: { amountMinor: 1_250n, currency: "EUR" },
    });
    // The id inventory derived for this order's decision: a retried handler publishes exactly this.
    const ack = await stack.probe.publish(EVENTS.inventoryReserved, reserved, { msgId: `inventory.reserved:${orderId}` });
    expect(ack.duplicate).toBe(true);
    expect(await stack.streamMessages("INVENTORY")).toBe(ordersBefore + 1);
  });

  it("an event whose effects were applied before a crash, then redelivered, takes effect once", async () => {
    const mugBefore = await stack.stock("MUG");
    const orderId = "crash-before-ack-1";
    const event = create(OrderCreatedSchema, {
      meta: eventMeta(EVENTS.orderCreated, orderId),
      customerId: "c-crash",
      lines: [{ sku: "MUG", quantity: 5 }],
    });
    // First delivery: the handler runs to completion but the process dies before the ack...
    await onOrderCreated({ store: stack.inventory.store, publish: stack.probe.publish })(event);
    expect((await stack.stock("MUG")).reserved).toBe(mugBefore.reserved + 5);
    // ...so JetStream delivers it again, this time to the running service.
    await stack.probe.publish(EVENTS.orderCreated, event, { msgId: `orders.created:${orderId}` });
    expect((await stack.waitForOrder(orderId)).status).toBe("CONFIRMED");
    await stack.settled();
    expect(await stack.stock("MUG")).toMatchObject({ available: mugBefore.available - 5, reserved: 0, sold: mugBefore.sold + 5 });
    expect(await stack.charges(orderId)).toHaveLength(1);
  });

  it("a malformed protobuf payload lands in the DLQ with its reason and the consumer keeps processing", async () => {
    const durable = CONSUMERS.inventoryOnOrderCreated.durable;
    await stack.probe.js.publish(`${EVENTS.orderCreated.subject}.malformed-1`, new TextEncoder().encode("{not protobuf at all"), {
      msgID: "malformed-1",
    });
    const letters = await waitForLetters(durable);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reason).toMatch(/^undecodable shop\.orders\.v1\.OrderCreated/);
    expect(letters[0]?.originalSubject).toBe("orders.created.v1.malformed-1");
    expect(new TextDecoder().decode(letters[0]?.data)).toBe("{not protobuf at all");
    await confirmedOrder("c-after-poison", 1);
  });

  it("an event missing required fields is dead-lettered with the missing field named", async () => {
    const bad = create(OrderCreatedSchema, { meta: eventMeta(EVENTS.orderCreated, "no-lines-1"), customerId: "c-1", lines: [] });
    await stack.probe.js.publish(eventSubject(EVENTS.orderCreated, "no-lines-1"), toBinary(OrderCreatedSchema, bad), {
      msgID: "no-lines-1",
    });
    const reasons = (await waitForLetters(CONSUMERS.inventoryOnOrderCreated.durable, 2)).map((l) => l.reason);
    expect(reasons).toContain("order has no lines or a line without SKU or quantity");
  });

  // Last: it restarts the broker under the other tests' feet.
  it("orders in flight when the broker is killed and restarted still complete, and new orders flow again", async () => {
    const inFlight = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const res = await stack.postOrder({ customerId: `c-outage-${i}`, items: [{ sku: "MUG", quantity: 1 }] });
        expect(res.status).toBe(202);
        return res.body.orderId as string;
      }),
    );
    await stack.nats.kill("SIGKILL");
    await stack.nats.restart();
    await waitFor(() => stack.orders.bus.isReady() && stack.inventory.bus.isReady() && stack.payments.bus.isReady(), {
      what: "every service to reconnect",
      timeoutMs: 15_000,
    });
    for (const orderId of inFlight) expect((await stack.waitForOrder(orderId)).status).toBe("CONFIRMED");
    await confirmedOrder("c-after-outage", 1);
    for (const orderId of inFlight) expect(await stack.charges(orderId)).toHaveLength(1);
  });
});

async function waitForLetters(durable: string, count = 1) {
  return waitFor(
    async () => {
      const letters = await stack.deadLetters(durable);
      return letters.length >= count && letters;
    },
    { what: `${count} DLQ entries of ${durable}` },
  );
}
