import type { LatencySummary, LoadResult } from "@shop/loadgen";
import { roundTo, sum } from "./figures.js";
import { sumPostCounts } from "./server-tail.js";
import type { MeasuredStep } from "./step.js";

/**
 * The control for the replica comparison (--split): two independent one-replica stacks (each its
 * own nats-server, nothing shared) offered half the rate each, at the same time. What two processes
 * per service cost against one at the same total rate when they coordinate on nothing: the part of
 * a second replica's cost that any design splitting the load pays on this machine.
 */

const addInto = (records: readonly Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record)) out[key] = (out[key] ?? 0) + n;
  return out;
};
/** Per-order figures of each half, weighted by its completed orders (loadgen's process is both halves' and counted once). */
const perOrder = (halves: readonly MeasuredStep[], figure: (h: MeasuredStep) => Record<string, number>, places: number) => {
  const total = sum(halves.map(completedOf));
  const counts = addInto(
    halves.map((h, i) =>
      Object.fromEntries(Object.entries(figure(h)).flatMap(([k, v]) => (k === "loadgen" && i > 0 ? [] : [[k, v * completedOf(h)]]))),
    ),
  );
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, roundTo(n / total, places)]));
};
/** The count each half's per-order figures were divided by (step.ts: at least 1). */
const completedOf = (h: MeasuredStep) => Math.max(h.load.completed, 1);
/** The slower of the two halves' latencies (percentiles of two runs cannot be added). */
const slower = (a: LatencySummary, b: LatencySummary) => (b.p99 > a.p99 ? b : a);
/** The slower half's percentiles; its counts the two halves' together. */
const slowerOverBoth = (a: LatencySummary, b: LatencySummary): LatencySummary => ({
  ...slower(a, b),
  count: a.count + b.count,
  over50Ms: a.over50Ms + b.over50Ms,
});
/** Process names of the second half numbered on from the first's: orders-1 → orders-2, nats → nats-2. */
const renumber = (record: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(record).flatMap(([name, v]) => {
      if (name === "loadgen") return [];
      const match = /^(.*)-(\d+)$/.exec(name);
      return [[match ? `${match[1]}-${Number(match[2]) + 1}` : `${name}-2`, v]];
    }),
  );

/** One row out of the two halves, measured over the same window. */
export function mergeHalves(a: MeasuredStep, b: MeasuredStep): MeasuredStep {
  const halves = [a, b];
  const completed = sum(halves.map(completedOf));
  /** A per-order figure over both halves' orders. */
  const overBoth = (figure: (h: MeasuredStep) => number) => sum(halves.map((h) => figure(h) * completedOf(h))) / completed;
  const load: LoadResult = {
    targetRate: a.load.targetRate + b.load.targetRate,
    durationSeconds: Math.max(a.load.durationSeconds, b.load.durationSeconds),
    sent: a.load.sent + b.load.sent,
    accepted: a.load.accepted + b.load.accepted,
    acceptedRate: roundTo(a.load.acceptedRate + b.load.acceptedRate, 1),
    completed: a.load.completed + b.load.completed,
    completedRate: roundTo(a.load.completedRate + b.load.completedRate, 1),
    errors: addInto([a.load.errors, b.load.errors]),
    outcomes: addInto([a.load.outcomes, b.load.outcomes]),
    requestsByUrl: addInto([a.load.requestsByUrl, b.load.requestsByUrl]),
    http: slowerOverBoth(a.load.http, b.load.http),
    saga: slowerOverBoth(a.load.saga, b.load.saga),
  };
  const cpuCores = addInto([a.cpuCores, { ...b.cpuCores, loadgen: 0 }]);
  return {
    rate: a.rate + b.rate,
    replicas: a.replicas + b.replicas,
    settings: "split",
    load,
    postsTimedByOrders: sumPostCounts(halves.map((h) => h.postsTimedByOrders)),
    wakeLateness: slower(a.wakeLateness, b.wakeLateness),
    cpuCores: Object.fromEntries(Object.entries(cpuCores).map(([k, v]) => [k, roundTo(v, 2)])),
    cpuCoresByProcess: { ...a.cpuCoresByProcess, ...renumber(b.cpuCoresByProcess) },
    rssMiB: { ...a.rssMiB, ...renumber(b.rssMiB) },
    cpuMsPerOrder: roundTo(
      overBoth((h) => h.cpuMsPerOrder),
      2,
    ),
    kernelShareOfCpu: Object.fromEntries(
      Object.keys(cpuCores).map((k) => {
        const cores = halves.map((h) => h.cpuCores[k] ?? 0);
        const kernel = sum(halves.map((h, i) => (h.kernelShareOfCpu[k] ?? 0) * (cores[i] ?? 0)));
        return [k, sum(cores) > 0 ? roundTo(kernel / sum(cores), 2) : 0];
      }),
    ),
    contextSwitchesPerOrder: perOrder(halves, (h) => h.contextSwitchesPerOrder, 1),
    serviceMessagesPerOrder: Math.round(overBoth((h) => h.serviceMessagesPerOrder)),
    loadgenMessagesPerOrder: roundTo(
      overBoth((h) => h.loadgenMessagesPerOrder),
      1,
    ),
    messagesPerOrderByConnection: perOrder(halves, (h) => h.messagesPerOrderByConnection, 1),
    bytesPerOrderByConnection: perOrder(halves, (h) => h.bytesPerOrderByConnection, 0),
    outcomeShares: perOrder(halves, (h) => h.outcomeShares, 1),
  };
}
