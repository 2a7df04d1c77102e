import { describe, expect, it } from "vitest";
import { median } from "../src/figures.js";
import { formatStepMedians, medianSteps } from "../src/rounds.js";
import { step } from "./steps.js";

describe("figures over rounds", () => {
  it("takes the middle value, the mean of the middle two for an even count, and nothing of nothing", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("gives each step measured in several rounds the median of each figure, and leaves single steps alone", () => {
    const results = [
      step(1, 1, 650, 2.2, "bench", 645, { httpP99: 71.3, sagaP99: 135, wakeP99: 7.1, fractionOfCeiling: 0.044 }),
      step(1, 1, 1300, 1.16, "bench", 1288, { httpP99: 211, sagaP99: 338, wakeP99: 11, fractionOfCeiling: 0.087 }),
      step(2, 1, 650, 2.21, "bench", 645, { httpP99: 107, sagaP99: 160, wakeP99: 10.6, fractionOfCeiling: 0.044 }),
      step(2, 1, 1300, 1.3, "bench", 1173, { httpP99: 270, sagaP99: 2271, wakeP99: 10.8, fractionOfCeiling: 0.079 }),
      step(3, 1, 650, 2.18, "bench", 640, { httpP99: 400, sagaP99: 150, wakeP99: 9, fractionOfCeiling: 0.043 }),
      step(3, 1, 300, 4.9, "defaults", 190),
    ];
    const medians = medianSteps(results);
    expect(medians).toEqual([
      {
        replicas: 1,
        settings: "bench",
        rate: 650,
        rounds: 3,
        completedRate: 645,
        httpP99: 107,
        sagaP99: 150,
        wakeP99: 9,
        cpuMsPerOrder: 2.2,
        fractionOfCeiling: 0.044,
      },
      {
        replicas: 1,
        settings: "bench",
        rate: 1300,
        rounds: 2,
        completedRate: 1230.5,
        httpP99: 240.5,
        sagaP99: 1304.5,
        wakeP99: 10.9,
        cpuMsPerOrder: 1.23,
        fractionOfCeiling: 0.083,
      },
    ]);
    expect(formatStepMedians(medians)[0]).toBe(
      "median of 3 rounds, 1 replica(s), bench, 650/s: done/s 645, http p99 107 ms, saga p99 150 ms, wake p99 9 ms, cpu 2.2 ms/order, of ceiling 0.044",
    );
  });

  it("reports nothing when every step ran once", () => {
    expect(medianSteps([step(1, 1, 650, 2.2), step(1, 2, 650, 2.5), step(1, 1, 1300, 1.2)])).toEqual([]);
  });
});
