import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrderStore } from "../src/adapters/order-store.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;

beforeAll(async () => {
  orders = await startOrders();
});
afterAll(async () => {
  await orders?.stop();
});

const post = (key: string, customerId = "c-1") =>
  orders.app.http.inject({
    method: "POST",
    url: "/orders",
    headers: { "content-type": "application/json", "idempotency-key": key },
    payload: { customerId, items: [{ sku: "MUG-RED", quantity: 1 }] },
  });

describe("POST /orders with an Idempotency-Key", () => {
  it("a retry after an attempt that recorded the key but died before publishing places the order, once", async () => {
    const store = await createOrderStore(orders.app.bus);
    // What the dead attempt left: the key's record, and no event.
    const first = (await post("probe-key")).json() as { orderId: string };
    const keyHash = createHash("sha256").update("crashed-key").digest("hex");
    const record = (await store.idempotency.get(createHash("sha256").update("probe-key").digest("hex")))?.value;
    expect(record?.orderId).toBe(first.orderId);
    const orphanId = "00000000-0000-4000-8000-000000000001";
    expect(await store.idempotency.create(keyHash, { ...(record as NonNullable<typeof record>), orderId: orphanId })).toBe(true);
    expect((await orders.app.http.inject({ method: "GET", url: `/orders/${orphanId}` })).statusCode).toBe(404);

    const retried = await post("crashed-key");
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toMatchObject({ orderId: orphanId, status: "PENDING" });
    const again = await post("crashed-key");
    expect(again.json()).toMatchObject({ orderId: orphanId });
    const stored = await orders.app.bus.jsm.streams.info("ORDERS", { subjects_filter: `orders.created.v1.${orphanId}` });
    expect(stored.state.subjects).toEqual({ [`orders.created.v1.${orphanId}`]: 1 });
    expect((await orders.app.http.inject({ method: "GET", url: `/orders/${orphanId}` })).json()).toMatchObject({
      status: "PENDING",
      customerId: "c-1",
    });
  });

  it("the same key with another body is refused with 422 and places nothing", async () => {
    expect((await post("k-422", "c-a")).statusCode).toBe(202);
    const before = (await orders.app.bus.jsm.streams.info("ORDERS")).state.messages;
    const res = await post("k-422", "c-b");
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect((await orders.app.bus.jsm.streams.info("ORDERS")).state.messages).toBe(before);
  });
});
