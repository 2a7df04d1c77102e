import { describe, expect, it } from "vitest";
import { mergeHalves } from "../src/split.js";
import { step } from "./steps.js";

/** A half as measureStep returns it (no round, no fraction of the ceiling). */
function half(completedRate: number, cpuMsPerOrder: number, extra: Partial<ReturnType<typeof step>> = {}) {
  const {
    round: _round,
    fractionOfCeiling: _fraction,
    ...measured
  } = { ...step(1, 1, 150, cpuMsPerOrder, "bench", completedRate), ...extra };
  return measured;
}

describe("the split control's row", () => {
  const a = half(150, 5.0, {
    cpuCores: { orders: 0.2, nats: 0.25, loadgen: 0.2 },
    cpuCoresByProcess: { "orders-1": 0.2, nats: 0.25, loadgen: 0.2 },
    contextSwitchesPerOrder: { orders: 5, loadgen: 4 },
    kernelShareOfCpu: { orders: 0.1, nats: 0.4 },
    messagesPerOrderByConnection: { orders: 4, "shop-load": 2 },
  });
  const b = half(100, 6.0, {
    cpuCores: { orders: 0.3, nats: 0.15, loadgen: 0.2 },
    cpuCoresByProcess: { "orders-1": 0.3, nats: 0.15, loadgen: 0.2 },
    contextSwitchesPerOrder: { orders: 6, loadgen: 4 },
    kernelShareOfCpu: { orders: 0.2, nats: 0.4 },
    messagesPerOrderByConnection: { orders: 6, "shop-load": 2 },
    load: {
      ...step(1, 1, 150, 6.0, "bench", 100).load,
      http: { count: 1000, p50: 1, p90: 1, p99: 90, p999: 90, max: 90, mean: 1, over50Ms: 40 },
    },
    postsTimedByOrders: { requests: 1000, over50Ms: 25 },
  });
  const merged = mergeHalves(a, b);

  it("adds the halves' rates, orders and CPU, so CPU per order is over both", () => {
    expect([merged.rate, merged.replicas, merged.settings, merged.load.completed]).toEqual([300, 2, "split", 2500]);
    // (5.0 * 1500 + 6.0 * 1000) / 2500
    expect(merged.cpuMsPerOrder).toBe(5.4);
    expect(merged.cpuCores).toEqual({ orders: 0.5, nats: 0.4, loadgen: 0.2 });
  });

  it("counts the load generator, the same process in both halves, once", () => {
    // 4 switches per order over 1500 orders of half a, over all 2500 orders.
    expect(merged.contextSwitchesPerOrder).toEqual({ orders: 5.4, loadgen: 2.4 });
    expect(merged.messagesPerOrderByConnection).toEqual({ orders: 4.8, "shop-load": 2 });
  });

  it("numbers the second half's processes on and weighs the kernel share by CPU", () => {
    expect(merged.cpuCoresByProcess).toEqual({ "orders-1": 0.2, nats: 0.25, loadgen: 0.2, "orders-2": 0.3, "nats-2": 0.15 });
    expect(merged.kernelShareOfCpu.orders).toBe(0.16);
  });

  it("reports the slower half's latency: percentiles of two runs cannot be added", () => {
    expect(merged.load.http.p99).toBe(90);
  });

  it("counts both halves' requests and those over 50 ms, as the generator and as orders timed them", () => {
    expect([merged.load.http.count, merged.load.http.over50Ms]).toEqual([1001, 40]);
    expect(merged.postsTimedByOrders).toEqual({ requests: 2500, over50Ms: 25 });
  });
});
