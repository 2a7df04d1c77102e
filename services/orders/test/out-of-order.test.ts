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
import { waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrdersApp } from "../src/app.js";
import type { Order } from "../src/domain/order.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;
let app: OrdersApp;

beforeAll(async () => {
  orders = await startOrders({ CONSUMER_ACK_WAIT_MS: "2000" });
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

async function view(orderId: string, ready: (order: Order) => boolean, what: string): Promise<Order> {
  return waitFor(
    async () => {
      const found = (await app.http.inject({ method: "GET", url: `/orders/${orderId}` })).json() as Order;
      return ready(found) && found;
    },
    { what },
  );
}

describe("events arriving out of order", () => {
  it("a payment that overtakes the reservation confirms the order; the late reservation only fills in prices", async () => {
    const orderId = "ooo-payment-first";
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    await view(orderId, (o) => o.status === "PENDING", "the projected order");
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    await view(orderId, (o) => o.status === "CONFIRMED", "CONFIRMED from the payment");
    await app.bus.publish(EVENTS.inventoryReserved, reserved(orderId), { msgId: `inventory.reserved:${orderId}` });
    const order = await view(orderId, (o) => o.items[0]?.unitPriceMinor === 1_250, "prices from the late reservation");
    expect(order).toMatchObject({ status: "CONFIRMED", totalMinor: 2_500, currency: "EUR" });
  });

  it("events for an order not projected yet wait for the projection instead of being lost", async () => {
    const orderId = "ooo-before-projection";
    await app.bus.publish(EVENTS.inventoryReserved, reserved(orderId), { msgId: `inventory.reserved:${orderId}` });
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    expect(
      await view(orderId, (o) => o.status === "CONFIRMED" && o.items[0]?.unitPriceMinor === 1_250, "CONFIRMED after the projection"),
    ).toMatchObject({
      items: [{ sku: "MUG", quantity: 2, unitPriceMinor: 1_250 }],
    });
    expect(await app.bus.deadLetters()).toEqual([]);
  });

  it("a rejection arriving after the order was confirmed changes nothing", async () => {
    const orderId = "ooo-late-rejection";
    await app.bus.publish(EVENTS.orderCreated, created(orderId), { msgId: `orders.created:${orderId}` });
    await app.bus.publish(EVENTS.paymentSucceeded, paid(orderId), { msgId: `payments.succeeded:${orderId}` });
    await view(orderId, (o) => o.status === "CONFIRMED", "CONFIRMED");
    const rejected = create(InventoryRejectedSchema, {
      meta: eventMeta(EVENTS.inventoryRejected, orderId),
      reason: RejectionReason.OUT_OF_STOCK,
      skus: ["MUG"],
    });
    const ack = await app.bus.publish(EVENTS.inventoryRejected, rejected, { msgId: `inventory.rejected:${orderId}` });
    await waitFor(
      async () => (await app.bus.jsm.consumers.info("INVENTORY", "orders-on-inventory-rejected")).ack_floor.stream_seq >= ack.seq,
      {
        what: "the rejection to be processed",
      },
    );
    expect((await app.http.inject({ method: "GET", url: `/orders/${orderId}` })).json()).toMatchObject({ status: "CONFIRMED" });
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await orders.contract.verify()).toBeGreaterThan(0);
  });
});
