import { type NatsServerHandle, waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrdersApp } from "../src/app.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;
let app: OrdersApp;
let nats: NatsServerHandle;

beforeAll(async () => {
  orders = await startOrders();
  ({ app, nats } = orders);
});
afterAll(async () => {
  await orders?.stop();
});

const order = { customerId: "c-1", items: [{ sku: "MUG-RED", quantity: 1 }] };

describe("when the broker is down", () => {
  it("POST /orders answers 503 at once (never a 202 it cannot keep), /readyz is 503, and both recover with the broker", async () => {
    await nats.kill("SIGKILL");
    await waitFor(async () => (await app.http.inject({ method: "GET", url: "/readyz" })).statusCode === 503, {
      what: "readyz to report the outage",
    });

    const started = Date.now();
    const res = await app.http.inject({ method: "POST", url: "/orders", payload: order });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(Date.now() - started).toBeLessThan(1_000);
    const keyed = await app.http.inject({ method: "POST", url: "/orders", payload: order, headers: { "idempotency-key": "outage-1" } });
    expect(keyed.statusCode).toBe(503);

    await nats.restart();
    await waitFor(async () => (await app.http.inject({ method: "GET", url: "/readyz" })).statusCode === 200, {
      what: "reconnect",
      timeoutMs: 15_000,
    });
    const accepted = await app.http.inject({ method: "POST", url: "/orders", payload: order });
    expect(accepted.statusCode).toBe(202);
    const orderId = accepted.json().orderId as string;
    expect((await app.http.inject({ method: "GET", url: `/orders/${orderId}` })).statusCode).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await orders.contract.verify()).toBeGreaterThan(0);
  });
});
