import { renderChart, runLoad } from "@shop/loadgen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
