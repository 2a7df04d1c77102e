import { groupBy, median, roundTo } from "./figures.js";
import type { StepResult } from "./report.js";

/** One step (replica count, settings, rate) over every round that measured it: the median of each figure. */
export interface StepMedian {
  replicas: number;
  settings: StepResult["settings"];
  rate: number;
  rounds: number;
  completedRate: number;
  httpP99: number;
  sagaP99: number;
  wakeP99: number;
  cpuMsPerOrder: number;
  fractionOfCeiling: number;
}

/** Medians of the steps measured in more than one round (none when every step ran once). */
export function medianSteps(results: readonly StepResult[]): StepMedian[] {
  return groupBy(results, (r) => `${r.replicas}\u0000${r.settings}\u0000${r.rate}`)
    .filter((group) => group.length > 1)
    .map((group) => {
      const first = group[0] as StepResult;
      const of = (figure: (r: StepResult) => number) => roundTo(median(group.map(figure)), 3);
      return {
        replicas: first.replicas,
        settings: first.settings,
        rate: first.rate,
        rounds: group.length,
        completedRate: of((r) => r.load.completedRate),
        httpP99: of((r) => r.load.http.p99),
        sagaP99: of((r) => r.load.saga.p99),
        wakeP99: of((r) => r.wakeLateness.p99),
        cpuMsPerOrder: of((r) => r.cpuMsPerOrder),
        fractionOfCeiling: of((r) => r.fractionOfCeiling),
      };
    });
}

export function formatStepMedians(medians: readonly StepMedian[]): string[] {
  return medians.map(
    (m) =>
      `median of ${m.rounds} rounds, ${m.replicas} replica(s), ${m.settings}, ${m.rate}/s: done/s ${m.completedRate}, http p99 ${m.httpP99} ms, saga p99 ${m.sagaP99} ms, wake p99 ${m.wakeP99} ms, cpu ${m.cpuMsPerOrder} ms/order, of ceiling ${m.fractionOfCeiling}`,
  );
}
