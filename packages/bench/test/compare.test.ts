import { describe, expect, it } from "vitest";
import { compareSteps, formatComparisons, summarizeComparisons } from "../src/compare.js";
import { step } from "./steps.js";

describe("comparing replica counts over rounds", () => {
  // Round 2 ran the counts in reverse, and the machine was slower during it: both counts cost more.
  const results = [
    step(1, 1, 650, 2.0),
    step(1, 2, 650, 2.2),
    step(2, 2, 650, 3.3),
    step(2, 1, 650, 3.0),
    step(3, 1, 650, 2.0),
    step(3, 2, 650, 2.6),
  ];

  it("pairs each step with the first count's step of the same round and rate, never across rounds", () => {
    const pairs = compareSteps(results);
    expect(pairs.map((c) => [c.round, c.cpuMsPerOrder, c.baselineCpuMsPerOrder, c.ratio])).toEqual([
      [1, 2.2, 2.0, 1.1],
      [2, 3.3, 3.0, 1.1],
      [3, 2.6, 2.0, 1.3],
    ]);
    expect(pairs.every((c) => c.what === "2 vs 1 replicas" && c.keptUp)).toBe(true);
  });

  it("judges the median of the rounds, so one noisy round does not decide", () => {
    const [summary, ...rest] = summarizeComparisons(compareSteps(results));
    expect(rest).toEqual([]);
    expect(summary).toEqual({ rate: 650, what: "2 vs 1 replicas", ratios: [1.1, 1.1, 1.3], median: 1.1, keptUp: true, judged: true });
    const lines = formatComparisons(compareSteps(results));
    expect(lines.at(-1)).toBe(
      "cpu ms/order, 2 vs 1 replicas at 650/s, median of 3 rounds (1.1, 1.1, 1.3): 1.1 (acceptance: at most 1.15: within)",
    );
    // The per-round lines carry no verdict of their own when there are several rounds.
    expect(lines.slice(0, 3).some((line) => line.includes("acceptance"))).toBe(false);
  });

  it("takes the mean of the middle two for an even number of rounds, and says when a step fell behind", () => {
    const two = [step(1, 1, 300, 4.0), step(1, 2, 300, 4.8), step(2, 2, 300, 4.2, "bench", 250), step(2, 1, 300, 4.0)];
    const [summary] = summarizeComparisons(compareSteps(two));
    expect(summary?.ratios).toEqual([1.2, 1.05]);
    expect(summary?.median).toBe(1.13);
    expect(summary?.keptUp).toBe(false);
    expect(formatComparisons(compareSteps(two)).at(-1)).toMatch(/median of 2 rounds .*: 1\.13 .*within\).*saturation is in the ratio$/);
  });

  it("with one round, judges the single ratio as before", () => {
    const lines = formatComparisons(compareSteps([step(1, 1, 450, 3.0), step(1, 2, 450, 3.6)]));
    expect(lines).toEqual(["cpu ms/order, 2 vs 1 replicas at 450/s: 3.6 / 3 = 1.2 (acceptance: at most 1.15: over)"]);
  });

  it("compares the defaults step with the bench's step of its own round", () => {
    const pairs = compareSteps([...results, step(3, 1, 650, 4.0, "defaults")]);
    const defaults = pairs.filter((c) => c.what.startsWith("services' defaults"));
    expect(defaults.map((c) => [c.round, c.baselineCpuMsPerOrder, c.ratio])).toEqual([[3, 2.0, 2]]);
  });

  it("puts the split control between the counts: against one replica, and two replicas against it, in its own round, unjudged", () => {
    const withSplit = [...results, step(1, 2, 650, 2.4, "split"), step(2, 2, 650, 3.0, "split")];
    const pairs = compareSteps(withSplit);
    const control = pairs.filter((c) => c.what.endsWith("(split) vs 1 replica"));
    expect(control.map((c) => [c.round, c.cpuMsPerOrder, c.baselineCpuMsPerOrder, c.ratio])).toEqual([
      [1, 2.4, 2.0, 1.2],
      [2, 3.0, 3.0, 1],
    ]);
    const coordination = pairs.filter((c) => c.what === "2 replicas vs two independent 1-replica stacks (split)");
    // Round 3 has no split step, so no pair; the replica counts' own pairs are unchanged.
    expect(coordination.map((c) => [c.round, c.baselineCpuMsPerOrder, c.ratio])).toEqual([
      [1, 2.4, 0.92],
      [2, 3.0, 1.1],
    ]);
    expect(pairs.filter((c) => c.what === "2 vs 1 replicas")).toHaveLength(3);
    expect(pairs.filter((c) => c.judged).every((c) => c.what === "2 vs 1 replicas")).toBe(true);
    const lines = formatComparisons(pairs);
    expect(lines.filter((line) => line.includes("acceptance"))).toEqual([
      "cpu ms/order, 2 vs 1 replicas at 650/s, median of 3 rounds (1.1, 1.1, 1.3): 1.1 (acceptance: at most 1.15: within)",
    ]);
  });
});
