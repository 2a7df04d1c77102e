import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({ monitoring: true, ordersEnv: { RATE_LIMIT_MAX: "100000" } });
});
afterAll(async () => {
  await stack?.close();
});

/** Messages the orders service's own connection sent and received, from nats-server's /connz. */
async function ordersConnectionMessages(): Promise<number> {
  const res = await fetch(`${stack.nats.monitorUrl}/connz?limit=1024`);
  const { connections } = (await res.json()) as { connections: Array<{ name?: string; in_msgs: number; out_msgs: number }> };
  const orders = connections.filter((c) => c.name === "orders");
  expect(orders).toHaveLength(1);
  return orders.reduce((sum, c) => sum + c.in_msgs + c.out_msgs, 0);
}

/** Broker messages one scrape of orders' system metrics (the open-orders gauges) costs. */
async function scrapeCost(): Promise<{ messages: number; body: string }> {
  const before = await ordersConnectionMessages();
  const res = await stack.orders.http.inject({ method: "GET", url: "/metrics/system" });
  expect(res.statusCode).toBe(200);
  return { messages: (await ordersConnectionMessages()) - before, body: res.body };
}

async function placeOrders(count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) =>
      stack.postOrder({ customerId: `${prefix}-${i + j}`, items: [{ sku: "MUG-RED", quantity: 1 }] }),
    );
    for (const res of await Promise.all(batch)) expect(res.status).toBe(202);
  }
  await stack.settled();
}

describe("cost follows load, not history", () => {
  it("a /metrics/system scrape does the same broker work after 10 orders and after 300, and no marker is left per order", async () => {
    await placeOrders(10, "few");
    const few = await scrapeCost();
    expect(few.body).toMatch(/^saga_open_orders\{service="orders"\} 0$/m);

    await placeOrders(290, "many");
    const many = await scrapeCost();
    expect(many.body).toMatch(/^saga_open_orders\{service="orders"\} 0$/m);
    expect(many.body).toMatch(/^saga_oldest_open_order_age_seconds\{service="orders"\} 0$/m);
    // Constant: a few stream and consumer info requests. Walking a per-order index would cost
    // hundreds of messages here. The slack absorbs a consumer heartbeat landing mid-scrape.
    expect(many.messages).toBeLessThanOrEqual(few.messages + 4);
    expect(many.messages).toBeLessThan(40);
    console.info(`broker messages per scrape: ${few.messages} after 10 orders, ${many.messages} after 300`);

    // Nothing is written per order but its events: the only buckets orders has are the idempotency keys.
    const streams: string[] = [];
    for await (const name of stack.probe.jsm.streams.names()) streams.push(name);
    expect(streams.filter((name) => name.startsWith("KV_orders"))).toEqual(["KV_orders-idempotency"]);
  });
});
