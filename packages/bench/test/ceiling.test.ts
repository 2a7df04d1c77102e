import { describe, expect, it } from "vitest";
import { ceilingOf } from "../src/calibrate.js";
import type { CeilingRun } from "../src/report.js";
import { fractionOfCeiling } from "../src/step.js";

const run = (when: CeilingRun["when"], publishesPerSecond: number, nats: number): CeilingRun => ({
  when,
  publishesPerSecond,
  brokerMessagesPerSecond: publishesPerSecond * 2,
  bytes: 160,
  cpuCores: { nats, client: 0.9 },
});

describe("the run's ceiling", () => {
  it("is the mean of the measurements before and after the steps, and keeps both", () => {
    const ceiling = ceilingOf([run("before", 30_000, 0.7), run("after", 45_001, 0.8)]);
    expect(ceiling.publishesPerSecond).toBe(37_501);
    expect(ceiling.brokerMessagesPerSecond).toBe(75_001);
    expect(ceiling.cpuCores).toEqual({ nats: 0.75, client: 0.9 });
    expect(ceiling.runs.map((r) => [r.when, r.publishesPerSecond])).toEqual([
      ["before", 30_000],
      ["after", 45_001],
    ]);
  });

  it("refuses to judge against nothing", () => {
    expect(() => ceilingOf([])).toThrow(/no ceiling/);
  });

  it("judges completed orders/s against the ceiling divided by the events per order", () => {
    // 3 events per order: a ceiling of 36,000 publishes/s is 12,000 orders/s.
    expect(fractionOfCeiling(1_200, 36_000)).toBe(0.1);
    expect(fractionOfCeiling(1_300, 39_000)).toBe(0.1);
  });
});
