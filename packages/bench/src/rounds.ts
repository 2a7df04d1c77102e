import type { StepResult } from "./report.js";

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

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

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Medians of the steps measured in more than one round (none when every step ran once). */
export function medianSteps(results: readonly StepResult[]): StepMedian[] {
  const groups = new Map<string, StepResult[]>();
  for (const r of results) {
    const key = `${r.replicas}\u0000${r.settings}\u0000${r.rate}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .map((group) => {
      const first = group[0] as StepResult;
      const of = (figure: (r: StepResult) => number) => round3(median(group.map(figure)));
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
