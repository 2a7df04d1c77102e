import { describe, expect, it } from "vitest";
import { createLatencyHistogram } from "../src/histogram.js";

describe("latency histogram", () => {
  it("counts the samples slower than 50 ms, as the services' 0.05 s bucket bounds them (50 ms itself is within)", () => {
    const histogram = createLatencyHistogram();
    for (const ms of [3, 49.9, 50, 50.5, 120]) histogram.recordMs(ms);
    const summary = histogram.summary();
    expect([summary.count, summary.over50Ms]).toEqual([5, 2]);
    expect(summary.max).toBeGreaterThanOrEqual(119.9);
  });
});
