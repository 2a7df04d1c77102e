import type { AddressInfo } from "node:net";
import { renderChart, runLoad } from "@shop/loadgen";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp as buildOrders } from "../../services/orders/src/app.js";
import { loadOrdersConfig } from "../../services/orders/src/config.js";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack();
});
afterAll(async () => {
  await stack?.close();
});

describe("shop-load", () => {
  it("sends open-loop at the target rate and measures every order to its terminal state", async () => {
    const progress: string[] = [];
    const result = await runLoad({
      ordersUrl: await stack.ordersUrl(),
      natsUrl: stack.nats.url,
      ratePerSecond: 50,
      durationSeconds: 2,
      drainSeconds: 20,
      onProgress: (line) => progress.push(line),
    });
    expect(result).toMatchObject({ sent: 100, accepted: 100, completed: 100, errors: {} });
    expect(Object.values(result.outcomes).reduce((a, b) => a + b, 0)).toBe(100);
    expect(result.outcomes.CONFIRMED).toBeGreaterThan(50);
    // Retried requests (same key) add HTTP samples but no orders.
    expect(result.http.count).toBeGreaterThanOrEqual(100);
    expect(result.saga.count).toBe(100);
    expect(result.saga.p50).toBeGreaterThan(0);
    expect(result.saga.max).toBeGreaterThanOrEqual(result.saga.p99);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(await stack.streamMessages("ORDERS")).toBe(100);

    const point = { offered: result.targetRate, completed: result.completedRate, http: result.http, saga: result.saga };
    const svg = await renderChart([point, { ...point, offered: 100, completed: 90 }], {
      latencyTargets: [{ label: "target 50 ms", ms: 50 }],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    for (const text of ["throughput", "HTTP p99", "saga p99", "target 50 ms", "offered orders/s"]) expect(svg).toContain(text);
  });

  it("spreads requests round-robin over two orders replicas on the same durables, and every order completes once", async () => {
    // A second orders process in all but name: its own HTTP listener, NATS connection and consumers.
    const second = await buildOrders({
      config: loadOrdersConfig({ NATS_URL: stack.nats.url, LOG_LEVEL: "silent", PORT: "0", CONSUMER_ACK_WAIT_MS: "2000" }),
      logger: pino({ level: "silent" }),
    });
    await second.start({ listen: false });
    try {
      await second.http.listen({ port: 0, host: "127.0.0.1" });
      const urls = [await stack.ordersUrl(), `http://127.0.0.1:${(second.http.server.address() as AddressInfo).port}`];
      const ordersBefore = await stack.streamMessages("ORDERS");
      const result = await runLoad({ ordersUrl: urls, natsUrl: stack.nats.url, ratePerSecond: 50, durationSeconds: 2, drainSeconds: 20 });

      expect(result).toMatchObject({ sent: 100, accepted: 100, completed: 100, errors: {} });
      const [first, other] = urls.map((url) => result.requestsByUrl[url] ?? 0) as [number, number];
      // Every request (retries included) went to one of the two, alternating.
      expect(first + other).toBe(result.http.count);
      expect(Math.abs(first - other)).toBeLessThanOrEqual(1);
      expect(other).toBeGreaterThanOrEqual(50);
      expect((await stack.streamMessages("ORDERS")) - ordersBefore).toBe(100);
      await stack.settled();
    } finally {
      await second.close();
    }
  });
});
