import { groupBy, median, roundTo } from "./figures.js";
import type { StepResult } from "./report.js";

/** The acceptance for scaling out: 2 replicas may cost at most 15% more CPU per order than 1. */
export const MAX_REPLICA_COST_RATIO = 1.15;

/** CPU ms per order of one step against another at the same offered rate, measured in the same round. */
export interface Comparison {
  rate: number;
  round: number;
  what: string;
  cpuMsPerOrder: number;
  baselineCpuMsPerOrder: number;
  ratio: number;
  /** Both steps completed at least 95% of the offered rate; otherwise saturation is in the ratio. */
  keptUp: boolean;
  /** Judged against MAX_REPLICA_COST_RATIO (the replica counts' comparison). */
  judged: boolean;
}

/** One comparison over every round of --rounds: its ratios in round order and their median. */
export interface ComparisonSummary {
  rate: number;
  what: string;
  ratios: number[];
  median: number;
  /** Every round's pair kept up. */
  keptUp: boolean;
  judged: boolean;
}

const keptUp = (r: StepResult) => r.load.completedRate >= 0.95 * r.rate;

/**
 * Each replica count's steps against the first count's at the same rate, the --split control
 * against one replica and every other count against the control, and the defaults step against the
 * bench's settings, pairing steps of the same round only: a pair is measured minutes apart at most,
 * not a whole run apart.
 */
export function compareSteps(results: readonly StepResult[]): Comparison[] {
  const bench = results.filter((r) => r.settings === "bench");
  const baseReplicas = bench[0]?.replicas;
  const pair = (what: string, r: StepResult, base: StepResult | undefined, judged = false): Comparison[] =>
    base && base.cpuMsPerOrder > 0
      ? [
          {
            rate: r.rate,
            round: r.round,
            what,
            cpuMsPerOrder: r.cpuMsPerOrder,
            baselineCpuMsPerOrder: base.cpuMsPerOrder,
            ratio: roundTo(r.cpuMsPerOrder / base.cpuMsPerOrder, 2),
            keptUp: keptUp(r) && keptUp(base),
            judged,
          },
        ]
      : [];
  const sameStep = (r: StepResult, replicas: number | undefined) =>
    bench.find((b) => b.replicas === replicas && b.rate === r.rate && b.round === r.round);
  const split = results.filter((r) => r.settings === "split");
  const splitOf = (r: StepResult) => split.find((s) => s.rate === r.rate && s.round === r.round);
  return [
    ...bench
      .filter((r) => r.replicas !== baseReplicas)
      .flatMap((r) => pair(`${r.replicas} vs ${baseReplicas} replicas`, r, sameStep(r, baseReplicas), true)),
    ...split.flatMap((r) => pair("two independent 1-replica stacks at half the rate each (split) vs 1 replica", r, sameStep(r, 1))),
    ...bench
      .filter((r) => r.replicas > 1)
      .flatMap((r) => pair(`${r.replicas} replicas vs two independent 1-replica stacks (split)`, r, splitOf(r))),
    ...results
      .filter((r) => r.settings === "defaults")
      .flatMap((r) => pair(`services' defaults vs bench settings, ${r.replicas} replica(s)`, r, sameStep(r, r.replicas))),
  ];
}

/** The comparisons of one kind and rate across rounds, with their median (one noisy round does not decide it). */
export function summarizeComparisons(comparisons: readonly Comparison[]): ComparisonSummary[] {
  return groupBy(comparisons, (c) => `${c.what}\u0000${c.rate}`).map((group) => {
    const ratios = [...group].sort((a, b) => a.round - b.round).map((c) => c.ratio);
    const first = group[0] as Comparison;
    return {
      rate: first.rate,
      what: first.what,
      ratios,
      median: roundTo(median(ratios), 2),
      keptUp: group.every((c) => c.keptUp),
      judged: first.judged,
    };
  });
}

/** The report's lines for the comparisons: one per round, then the median when there are several rounds. */
export function formatComparisons(comparisons: readonly Comparison[]): string[] {
  const lines: string[] = [];
  const verdict = (judged: boolean, ratio: number) =>
    judged ? ` (acceptance: at most ${MAX_REPLICA_COST_RATIO}: ${ratio <= MAX_REPLICA_COST_RATIO ? "within" : "over"})` : "";
  const caveat = (ok: boolean) => (ok ? "" : "; a step fell behind (done/s < 95% of offered), so saturation is in the ratio");
  const rounds = new Set(comparisons.map((c) => c.round)).size;
  for (const c of comparisons) {
    const when = rounds > 1 ? `, round ${c.round}` : "";
    const judged = rounds > 1 ? "" : verdict(c.judged, c.ratio);
    lines.push(
      `cpu ms/order, ${c.what} at ${c.rate}/s${when}: ${c.cpuMsPerOrder} / ${c.baselineCpuMsPerOrder} = ${c.ratio}${judged}${caveat(c.keptUp)}`,
    );
  }
  if (rounds > 1) {
    for (const s of summarizeComparisons(comparisons)) {
      lines.push(
        `cpu ms/order, ${s.what} at ${s.rate}/s, median of ${s.ratios.length} rounds (${s.ratios.join(", ")}): ${s.median}${verdict(s.judged, s.median)}${caveat(s.keptUp)}`,
      );
    }
  }
  return lines;
}
