import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrdersApp } from "../src/app.js";
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

const valid = { customerId: "c-1", items: [{ sku: "MUG-RED", quantity: 1 }] };
const line = (sku: string, quantity: unknown = 1) => ({ sku, quantity });

async function ordersPublished(): Promise<number> {
  return (await app.bus.jsm.streams.info("ORDERS")).state.messages;
}

const badBodies: Array<[string, unknown]> = [
  ["quantity 0", { ...valid, items: [line("MUG-RED", 0)] }],
  ["quantity -1", { ...valid, items: [line("MUG-RED", -1)] }],
  ["quantity 1.5", { ...valid, items: [line("MUG-RED", 1.5)] }],
  ['quantity "5" (no coercion)', { ...valid, items: [line("MUG-RED", "5")] }],
  ["empty items", { ...valid, items: [] }],
  ["101 items", { ...valid, items: Array.from({ length: 101 }, (_, i) => line(`SKU-${i}`)) }],
  ["duplicate SKUs", { ...valid, items: [line("MUG-RED"), line("MUG-RED", 2)] }],
  ["a price set by the client", { ...valid, items: [{ sku: "MUG-RED", quantity: 1, priceMinor: 1 }] }],
  ["a status set by the client", { ...valid, status: "CONFIRMED" }],
  ["a missing customerId", { items: valid.items }],
  ["a lower-case SKU", { ...valid, items: [line("mug-red")] }],
  ["a JSON array", [valid]],
];

describe("POST /orders rejects bad input with problem+json and publishes nothing", () => {
  it.each(badBodies)("%s -> 400", async (_case, body) => {
    const before = await ordersPublished();
    const res = await app.http.inject({
      method: "POST",
      url: "/orders",
      payload: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
    expect(await ordersPublished()).toBe(before);
  });

  it.each([
    ["invalid JSON", "application/json", '{"customerId": "c-1", "items": [', 400],
    ["an empty JSON body", "application/json", "", 400],
    ["text/plain", "text/plain", JSON.stringify(valid), 415],
    ["form encoding", "application/x-www-form-urlencoded", "customerId=c-1", 415],
    ["an oversized body", "application/json", JSON.stringify({ ...valid, pad: "x".repeat(70 * 1024) }), 413],
  ])("%s (%s) -> %i", async (_case, contentType, payload, status) => {
    const before = await ordersPublished();
    const res = await app.http.inject({ method: "POST", url: "/orders", payload, headers: { "content-type": contentType } });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(await ordersPublished()).toBe(before);
  });

  it("an Idempotency-Key longer than 255 characters -> 400", async () => {
    const res = await app.http.inject({ method: "POST", url: "/orders", payload: valid, headers: { "idempotency-key": "k".repeat(256) } });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("a valid order is accepted, so the cases above fail for their own reason", async () => {
    const before = await ordersPublished();
    const res = await app.http.inject({ method: "POST", url: "/orders", payload: valid });
    expect(res.statusCode).toBe(202);
    expect(await ordersPublished()).toBe(before + 1);
  });
});

describe("answers keep every field their schema names", () => {
  it("a validation failure lists each invalid value in errors", async () => {
    const res = await app.http.inject({ method: "POST", url: "/orders", payload: { items: [line("MUG-RED", 0)] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { path: "/", message: "must have required property 'customerId'" },
        { path: "/items/0/quantity", message: "must be >= 1" },
      ]),
    );
  });

  it("an order not final yet shows what it waits for and its age", async () => {
    // No inventory service runs here: the order stays PENDING.
    const placed = await app.http.inject({ method: "POST", url: "/orders", payload: valid });
    const order = await app.http.inject({ method: "GET", url: placed.headers.location as string });
    expect(order.json()).toMatchObject({ status: "PENDING", waitingFor: "inventory", ageSeconds: expect.any(Number) });
  });
});

describe("other routes", () => {
  it("an unknown order -> 404 problem; a malformed id -> 400 problem", async () => {
    const missing = await app.http.inject({ method: "GET", url: "/orders/does-not-exist" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const malformed = await app.http.inject({ method: "GET", url: "/orders/a.b*c" });
    expect(malformed.statusCode).toBe(400);
  });

  it("a URL that cannot be decoded -> 400 problem; a path parameter over 100 characters -> 414 problem", async () => {
    const undecodable = await app.http.inject({ method: "GET", url: "/orders/%zz" });
    expect(undecodable.statusCode).toBe(400);
    expect(undecodable.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const long = await app.http.inject({ method: "GET", url: `/orders/${"a".repeat(101)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ status: 414, title: "URI too long" });
  });

  it("health, readiness and metrics answer", async () => {
    expect((await app.http.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect((await app.http.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
    const metrics = await app.http.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/http_server_requests_total\{method="POST",route="\/orders",status_code="400",service="orders"\}/);
    expect(metrics.body).toMatch(/process_resident_memory_bytes\{service="orders"\}/);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await orders.contract.verify()).toBeGreaterThan(0);
  });
});
