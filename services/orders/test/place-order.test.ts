import { waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrderStore, type OrderStore } from "../src/adapters/order-store.js";
import { placeOrder } from "../src/use-cases/place-order.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;

beforeAll(async () => {
  orders = await startOrders();
});
afterAll(async () => {
  await orders?.stop();
});

describe("placeOrder", () => {
  it("once the event is published, a failing view write still accepts the order and the projector writes the view", async () => {
    const real = await createOrderStore(orders.app.bus);
    const failingViews = Object.create(real.orders) as OrderStore["orders"];
    failingViews.create = async () => {
      throw new Error("KV write lost");
    };
    const failures: string[] = [];
    const order = await placeOrder(
      { store: { ...real, orders: failingViews }, publish: orders.app.bus.publish, onViewWriteFailed: (_err, id) => failures.push(id) },
      { customerId: "c-1", items: [{ sku: "MUG-RED", quantity: 1 }] },
    );
    expect(order.status).toBe("PENDING");
    expect(failures).toEqual([order.orderId]);
    // The orders-on-order-created projector of the running app writes the view from the stream.
    const view = await waitFor(async () => (await real.orders.get(order.orderId))?.value, { what: "the projected view" });
    expect(view).toMatchObject({ orderId: order.orderId, customerId: "c-1", status: "PENDING" });
  });
});
