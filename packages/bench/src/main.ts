#!/usr/bin/env node
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { chartPointOf, renderChart } from "@shop/loadgen";
import { calibrate, ceilingOf } from "./calibrate.js";
import { compareSteps, summarizeComparisons } from "./compare.js";
import { parseBenchOptions } from "./options.js";
import { EVENTS_PER_ORDER, formatReport, type StepResult } from "./report.js";
import { medianSteps } from "./rounds.js";
import { mergeHalves } from "./split.js";
import { type BenchStack, type Settings, startStack } from "./stack.js";
import { fractionOfCeiling, type MeasuredStep, measureStep, warmUp } from "./step.js";
import { startTraceSink } from "./trace-sink.js";

const options = parseBenchOptions();
const log = (line: string) => process.stderr.write(`${line}\n`);

log(`measuring the broker ceiling for ${options.ceilingSeconds} s, and what one KV write costs, on a nats-server of its own`);
const first = await calibrate(options.ceilingSeconds, "before", { kvFloor: true });
const kvFloor = first.kvFloor;
log(`ceiling: ${first.run.publishesPerSecond} pipelined publishes/s of ${first.run.bytes}-byte events`);

const traceSink = await startTraceSink();
const measured: Array<MeasuredStep & Pick<StepResult, "round">> = [];
const freshStack = (replicas: number, settings: Settings) =>
  startStack({
    replicas,
    settings,
    traceEndpoint: traceSink.endpoint,
    sampling: options.sampling,
    heapMb: options.heapMb,
    natsGomaxprocs: options.natsGomaxprocs,
    serviceEnv: options.serviceEnv,
    profile: options.profile,
  });

/** The --split control: two one-replica stacks side by side, each offered half of every rate at the same time (split.ts). */
async function runSplit(rates: readonly number[], round: number): Promise<void> {
  log(
    `${options.rounds > 1 ? `round ${round} of ${options.rounds}: ` : ""}split control: two independent stacks of one process per service, half the rate each`,
  );
  const halves: BenchStack[] = [];
  try {
    for (let i = 0; i < 2; i++) halves.push(await freshStack(1, "bench"));
    const [a, b] = halves as [BenchStack, BenchStack];
    // Each process gets the same warm-up traffic as in runStack: half the rate for twice as long.
    if (options.warmup > 0) {
      const rate = (rates[0] ?? 100) / 2;
      await Promise.all([warmUp(a, rate, options.warmup * 2, log), warmUp(b, rate, options.warmup * 2, log)]);
    }
    for (const rate of rates) {
      const halfOf = (stack: BenchStack) => measureStep(stack, rate / 2, options.duration, log);
      const [ma, mb] = await Promise.all([halfOf(a), halfOf(b)]);
      measured.push({ ...mergeHalves(ma, mb), round });
    }
  } finally {
    await Promise.all(halves.map((stack) => stack.close()));
  }
}

/** A fresh stack of `replicas` processes per service: warm-up, then each rate. */
async function runStack(replicas: number, settings: Settings, rates: readonly number[], round: number): Promise<void> {
  const which = options.rounds > 1 ? `round ${round} of ${options.rounds}: ` : "";
  log(`${which}starting a fresh nats-server and ${replicas} process(es) of every service (${settings} settings)`);
  const stack = await freshStack(replicas, settings);
  try {
    // Each process gets the same warm-up traffic whatever the replica count (N replicas share it, so
    // N times as long): a half-warmed JIT would count as the second replica's cost.
    if (options.warmup > 0) await warmUp(stack, rates[0] ?? 100, options.warmup * replicas, log);
    for (const rate of rates) measured.push({ ...(await measureStep(stack, rate, options.duration, log)), round });
  } finally {
    await stack.close();
  }
}

try {
  for (let round = 1; round <= options.rounds; round++) {
    // Every other round in reverse (1,2 then 2,1): a drift over the run then weighs on each count alike.
    const runs: Array<() => Promise<void>> = [
      ...options.replicas.map((replicas) => () => runStack(replicas, "bench", options.steps, round)),
      ...(options.split ? [() => runSplit(options.steps, round)] : []),
    ];
    for (const run of round % 2 === 1 ? runs : [...runs].reverse()) await run();
  }
  // Right after the last round, and compared with that round's step of the same replica count and rate.
  if (options.defaultsRate > 0) await runStack(options.replicas[0] ?? 1, "defaults", [options.defaultsRate], options.rounds);
} finally {
  await traceSink.close();
}

// Once more after the steps: one 5 s window on a shared machine can catch a slow or a fast spell.
log(`measuring the broker ceiling again for ${options.ceilingSeconds} s`);
const last = await calibrate(options.ceilingSeconds, "after");
log(`ceiling: ${last.run.publishesPerSecond} pipelined publishes/s`);
const ceiling = ceilingOf([first.run, last.run]);
const results: StepResult[] = measured.map((step) => ({
  ...step,
  fractionOfCeiling: fractionOfCeiling(step.load.completedRate, ceiling.publishesPerSecond),
}));

console.log(formatReport(ceiling, kvFloor, results, options.sampling, options.serviceEnv, options.natsGomaxprocs));
const exported = traceSink.stats();
console.log(`spans exported over OTLP/HTTP: ${exported.requests} requests, ${Math.round(exported.bytes / 1024)} KiB`);
await mkdir(dirname(options.out), { recursive: true });
const comparisons = compareSteps(results);
await writeFile(
  options.out,
  `${JSON.stringify({ ceiling, kvFloor, eventsPerOrder: EVENTS_PER_ORDER, sampling: options.sampling, serviceEnv: options.serviceEnv, natsGomaxprocs: options.natsGomaxprocs, replicas: options.replicas, rounds: options.rounds, split: options.split, results, stepMedians: medianSteps(results), comparisons, summaries: summarizeComparisons(comparisons) }, null, 2)}\n`,
);
// One chart per replica count (the bench's settings, the first round): its steps are one curve against offered rate.
const charts: string[] = [];
const latencyTargets = [
  { label: "HTTP p99 target 50 ms", ms: 50 },
  { label: "saga p99 target 250 ms", ms: 250 },
];
for (const [i, replicas] of options.replicas.entries()) {
  const points = results.filter((r) => r.settings === "bench" && r.replicas === replicas && r.round === 1).map((r) => chartPointOf(r.load));
  const file = `${options.out.replace(/\.json$/, "")}${i === 0 ? "" : `-r${replicas}`}.svg`;
  const rounds = options.rounds > 1 ? ` (round 1 of ${options.rounds})` : "";
  const title = `shop-bench: latency and throughput, ${replicas} replica${replicas > 1 ? "s" : ""} per service${rounds}`;
  await writeFile(file, await renderChart(points, { title, latencyTargets }));
  charts.push(file);
}
console.log(`\nwritten to ${options.out} and ${charts.join(", ")}`);
process.exit(0);
