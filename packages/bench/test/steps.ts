import type { LatencySummary, LoadResult } from "@shop/loadgen";
import type { StepResult } from "../src/report.js";

const latency = (p99: number): LatencySummary => ({ count: 1, p50: 1, p90: 1, p99, p999: p99, max: p99, mean: 1, over50Ms: 0 });

/** A measured step with the figures the comparisons read; the rest fixed. */
export function step(
  round: number,
  replicas: number,
  rate: number,
  cpuMsPerOrder: number,
  settings: StepResult["settings"] = "bench",
  completedRate = rate,
  figures: { httpP99?: number; sagaP99?: number; wakeP99?: number; fractionOfCeiling?: number } = {},
): StepResult {
  const load: LoadResult = {
    targetRate: rate,
    durationSeconds: 10,
    sent: rate * 10,
    accepted: rate * 10,
    acceptedRate: rate,
    completed: completedRate * 10,
    completedRate,
    errors: {},
    outcomes: {},
    requestsByUrl: {},
    http: latency(figures.httpP99 ?? 1),
    saga: latency(figures.sagaP99 ?? 1),
  };
  return {
    rate,
    replicas,
    round,
    settings,
    load,
    postsTimedByOrders: { requests: rate * 10, over50Ms: 0 },
    wakeLateness: latency(figures.wakeP99 ?? 1),
    cpuCores: {},
    cpuCoresByProcess: {},
    rssMiB: {},
    cpuMsPerOrder,
    contextSwitchesPerOrder: {},
    kernelShareOfCpu: {},
    serviceMessagesPerOrder: 16,
    loadgenMessagesPerOrder: 2,
    messagesPerOrderByConnection: {},
    bytesPerOrderByConnection: {},
    outcomeShares: {},
    fractionOfCeiling: figures.fractionOfCeiling ?? 0.1,
  };
}
