import { create } from "@bufbuild/protobuf";
import {
  EVENTS,
  eventMeta,
  InventoryRejectedSchema,
  InventoryReservedSchema,
  OrderCreatedSchema,
  PaymentSucceededSchema,
  RejectionReason,
} from "@shop/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOrder } from "../src/adapters/order-reader.js";
import type { OrdersApp } from "../src/app.js";
import type { Order } from "../src/domain/order.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;
let app: OrdersApp;

beforeAll(async () => {
  orders = await startOrders();
  ({ app } = orders);
});
afterAll(async () => {
  await orders?.stop();
});

const money = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const created = (orderId: string) =>
  create(OrderCreatedSchema, { meta: eventMeta(EVENTS.orderCreated, orderId), customerId: "c-1", lines: [{ sku: "MUG", quantity: 2 }] });
const reserved = (orderId: string) =>
  create(InventoryReservedSchema, {
    meta: eventMeta(EVENTS.inventoryReserved, orderId),
    customerId: "c-1",
    lines: [{ sku: "MUG", quantity: 2, unitPrice: money(1_250n) }],
    total: money(2_500n),
  });
const paid = (orderId: string) =>
  create(PaymentSucceededSchema, { meta: eventMeta(EVENTS.paymentSucceeded, orderId), amount: money(2_500n), providerChargeId: "ch" });

async function view(orderId: string): Promise<Order> {
  const res = await app.http.inject({ method: "GET", url: `/orders/${orderId}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Order;
}

// The order is read from its events, which the stream leader answers after each publish's ack:
// every read below sees the publishes before it, with no waiting.
describe("an order read from events stored in any order", () => {
  it("a payment that overtakes the reservation confirms the order; the late reservation only fills in prices", async () => {
    const orderId = "ooo-payment-first";
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    expect(await view(orderId)).toMatchObject({ status: "PENDING", waitingFor: "inventory" });
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    expect(await view(orderId)).toMatchObject({ status: "CONFIRMED", totalMinor: 2_500 });
    await app.bus.publish(EVENTS.inventoryReserved, reserved(orderId), { msgId: `inventory.reserved:${orderId}` });
    const order = await view(orderId);
    expect(order).toMatchObject({ status: "CONFIRMED", totalMinor: 2_500, currency: "EUR" });
    expect(order.items).toEqual([{ sku: "MUG", quantity: 2, unitPriceMinor: 1_250 }]);
  });

  it("events stored before the order's own event are not lost: the order appears complete once it is placed", async () => {
    const orderId = "ooo-before-created";
    await app.bus.publish(EVENTS.inventoryReserved, reserved(orderId), { msgId: `inventory.reserved:${orderId}` });
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    expect((await app.http.inject({ method: "GET", url: `/orders/${orderId}` })).statusCode).toBe(404);
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    expect(await view(orderId)).toMatchObject({ status: "CONFIRMED", items: [{ sku: "MUG", quantity: 2, unitPriceMinor: 1_250 }] });
  });

  it("a rejection stored after the order was confirmed changes nothing", async () => {
    const orderId = "ooo-late-rejection";
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    expect(await view(orderId)).toMatchObject({ status: "CONFIRMED" });
    const rejected = create(InventoryRejectedSchema, {
      meta: eventMeta(EVENTS.inventoryRejected, orderId),
      reason: RejectionReason.OUT_OF_STOCK,
      skus: ["MUG"],
    });
    await app.bus.publish(EVENTS.inventoryRejected, rejected, { msgId: `inventory.rejected:${orderId}` });
    expect(await view(orderId)).toMatchObject({ status: "CONFIRMED" });
  });

  it("an order's event of one type is stored once: a second publish with another message id is a duplicate", async () => {
    const orderId = "ooo-fenced";
    const first = await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: "one", firstOfSubject: true });
    const second = await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: "two", firstOfSubject: true });
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    const info = await app.bus.jsm.streams.info("ORDERS", { subjects_filter: `orders.created.v1.${orderId}` });
    expect(info.state.subjects).toEqual({ [`orders.created.v1.${orderId}`]: 1 });
  });

  it("an order is read by literal subjects only: a wildcard read would make nats-server scan the whole stream for an order still waiting", async () => {
    const orderId = "ooo-literal";
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    const events = app.bus.events();
    const asked: string[] = [];
    const recording = Object.assign(Object.create(events), {
      last: (stream: Parameters<typeof events.last>[0], subject: string) => {
        asked.push(subject);
        return events.last(stream, subject);
      },
    }) as typeof events;
    expect(await readOrder(recording, orderId)).toMatchObject({ orderId, status: "PENDING" });
    expect(asked.sort()).toEqual([`inventory.decided.v1.${orderId}`, `orders.created.v1.${orderId}`, `payments.settled.v1.${orderId}`]);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await orders.contract.verify()).toBeGreaterThan(0);
  });
});
