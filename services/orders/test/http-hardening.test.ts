import { waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrdersApp } from "../src/app.js";
import { startOrders } from "./support.js";

let orders: Awaited<ReturnType<typeof startOrders>>;
let app: OrdersApp;

beforeAll(async () => {
  orders = await startOrders({ RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_MS: "60000", SHED_EVENT_LOOP_DELAY_MS: "50" });
  ({ app } = orders);
});
afterAll(async () => {
  await orders?.stop();
});

const order = { customerId: "c-1", items: [{ sku: "MUG-RED", quantity: 1 }] };

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: this is the overload being shed.
  }
}

describe("HTTP hardening", () => {
  it("POST /orders beyond the rate limit answers 429 problem+json with Retry-After; reads are not limited", async () => {
    const post = () => app.http.inject({ method: "POST", url: "/orders", payload: order, remoteAddress: "10.0.0.7" });
    for (let i = 0; i < 3; i++) expect((await post()).statusCode).toBe(202);
    const limited = await post();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toMatch(/^\d+$/);
    expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, title: "Too many requests" });
    // Another client has its own budget.
    expect((await app.http.inject({ method: "POST", url: "/orders", payload: order, remoteAddress: "10.0.0.8" })).statusCode).toBe(202);
    expect((await app.http.inject({ method: "GET", url: "/orders/unknown", remoteAddress: "10.0.0.7" })).statusCode).toBe(404);
  });

  it("a saturated event loop sheds requests with 503 and Retry-After, while health and metrics still answer", async () => {
    const shed = await waitFor(
      async () => {
        blockEventLoop(150);
        const res = await app.http.inject({ method: "GET", url: "/orders/anything" });
        return res.statusCode === 503 && res;
      },
      { what: "load shedding to start", timeoutMs: 15_000, intervalMs: 0 },
    );
    expect(shed.headers["retry-after"]).toBe("1");
    expect(shed.json()).toMatchObject({ status: 503, title: "Service unavailable", detail: expect.stringMatching(/^Shedding load/) });
    expect((await app.http.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect((await app.http.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(200);
    expect((await app.http.inject({ method: "GET", url: "/metrics/system" })).statusCode).toBe(200);
  });

  it("while requests are shed, the OpenAPI document and the /docs page and assets still answer", async () => {
    const get = (url: string) => app.http.inject({ method: "GET", url });
    // Docs requests sandwiched between two shed requests were made while shedding was on.
    const docs = await waitFor(
      async () => {
        blockEventLoop(150);
        const before = await get("/orders/anything");
        const answered = await Promise.all(["/openapi.json", "/docs", "/docs/static/swagger-ui.css"].map(get));
        const after = await get("/orders/anything");
        return before.statusCode === 503 && after.statusCode === 503 && answered;
      },
      { what: "docs requests made while shedding", timeoutMs: 15_000, intervalMs: 0 },
    );
    expect(docs.map((res) => res.statusCode)).toEqual([200, 200, 200]);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await orders.contract.verify()).toBeGreaterThan(0);
  });
});
