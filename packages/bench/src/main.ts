#!/usr/bin/env node
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { Bus } from "@shop/eventbus";
import { chartPointOf, renderChart, runLoad } from "@shop/loadgen";
import { type ServiceProcess, startNatsServer, startServiceProcess } from "@shop/testkit";
import { pino } from "pino";
import { brokerMessages, sagaBacklog } from "./broker-stats.js";
import { measureCeiling } from "./ceiling.js";
import { measureKvFloor } from "./floor.js";
import { type CpuSample, cpuCores, cpuSample, cpuSeconds, rssMiB } from "./process-stats.js";
import { type Ceiling, EVENTS_PER_ORDER, formatReport, PROCESSES, type StepResult } from "./report.js";
import { startTraceSink } from "./trace-sink.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "500,1000,2000,3000,4000" },
    duration: { type: "string", default: "20" },
    "ceiling-seconds": { type: "string", default: "5" },
    warmup: { type: "string", default: "5" },
    "heap-mb": { type: "string" },
    sampling: { type: "string", default: "0.1" },
    profile: { type: "string" },
    out: { type: "string", default: `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json` },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`shop-bench [--steps 500,1000,2000,3000,4000] [--duration 20] [--warmup 5] [--ceiling-seconds 5] [--sampling 0.1] [--heap-mb N] [--profile dir] [--out file.json]

Starts its own nats-server and the three services, measures the broker's ceiling, warms up for
--warmup seconds at the first rate (not counted), then offers each rate for --duration seconds (open
loop) and prints one row per step. Writes the JSON to --out and a latency/throughput chart beside it
(.svg). --heap-mb caps each service's V8 old space (--max-old-space-size), as a container would;
--profile writes a V8 CPU profile per service.`);
  process.exit(0);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const steps = values.steps.split(",").map(Number);
const duration = Number(values.duration);
const sampling = Number(values.sampling);
if (steps.some((s) => !Number.isFinite(s) || s <= 0) || !(duration > 0) || !(sampling >= 0 && sampling <= 1)) {
  console.error("shop-bench: --steps must be positive numbers, --duration > 0, --sampling in [0, 1]");
  process.exit(2);
}

log("starting a fresh nats-server");
const nats = await startNatsServer({ monitoring: true });
const monitorUrl = nats.monitorUrl as string;
const bus = await Bus.connect({ url: nats.url, name: "shop-bench", logger: pino({ level: "silent" }) });
const cpuOf = async (pids: Record<string, number>) =>
  Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([n, pid]) => [n, await cpuSample(pid)] as const)));
const cores = (before: Record<string, CpuSample>, after: Record<string, CpuSample>, name: string) => {
  const b = before[name];
  const a = after[name];
  return b && a ? Math.round(cpuCores(b, a) * 100) / 100 : 0;
};

log(`measuring the broker ceiling for ${values["ceiling-seconds"]} s`);
const ceilingPids = { nats: nats.pid ?? 0, client: process.pid };
const [cpuBefore, msgsBefore] = [await cpuOf(ceilingPids), await brokerMessages(monitorUrl)];
const measured = await measureCeiling(bus, Number(values["ceiling-seconds"]));
const [cpuAfter, msgsAfter] = [await cpuOf(ceilingPids), await brokerMessages(monitorUrl)];
const ceilingSeconds = ((cpuAfter.nats?.at ?? 0) - (cpuBefore.nats?.at ?? 0)) / 1000;
const ceiling: Ceiling = {
  ...measured,
  brokerMessagesPerSecond: Math.round((msgsAfter - msgsBefore) / ceilingSeconds),
  cpuCores: { nats: cores(cpuBefore, cpuAfter, "nats"), client: cores(cpuBefore, cpuAfter, "client") },
};
log(`ceiling: ${ceiling.publishesPerSecond} pipelined publishes/s of ${ceiling.bytes}-byte events`);
log("measuring what one KV write costs");
const kvFloor = await measureKvFloor(bus, nats.pid ?? 0);

const traceSink = await startTraceSink();
const env = {
  NATS_URL: nats.url,
  LOG_LEVEL: "warn",
  RATE_LIMIT_MAX: "1000000000",
  OTEL_TRACES_SAMPLER_ARG: values.sampling,
  OTEL_EXPORTER_OTLP_ENDPOINT: traceSink.endpoint,
};
const services: Record<string, ServiceProcess> = {};
for (const name of ["orders", "inventory", "payments"]) {
  // --profile: each service writes a V8 CPU profile (open in Chrome DevTools) when it exits.
  const nodeArgs = [
    ...(values["heap-mb"] ? [`--max-old-space-size=${values["heap-mb"]}`] : []),
    ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
  ];
  services[name] = await startServiceProcess(name, { env, readyTimeoutMs: 30_000, nodeArgs });
}
const pids: Record<string, number> = { nats: nats.pid ?? 0, loadgen: process.pid };
for (const [name, service] of Object.entries(services)) pids[name] = service.pid ?? 0;

/** An overloaded step leaves a backlog; the next step starts only once the consumers have caught up. */
async function waitForIdle(limitSeconds = 180): Promise<void> {
  const until = Date.now() + limitSeconds * 1000;
  for (let backlog = await sagaBacklog(bus); backlog > 0; backlog = await sagaBacklog(bus)) {
    if (Date.now() > until) {
      log(`backlog of ${backlog} messages still there after ${limitSeconds} s; going on`);
      return;
    }
    log(`waiting for the consumers to catch up: ${backlog} messages left`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

const results: StepResult[] = [];
try {
  const warmup = Number(values.warmup);
  if (warmup > 0) {
    // Untimed: lets V8 compile the hot paths so the first step does not measure the JIT.
    log(`warm-up: ${steps[0]} orders/s for ${warmup} s (not counted)`);
    await runLoad({
      ordersUrl: services.orders?.url ?? "",
      natsUrl: nats.url,
      ratePerSecond: steps[0] ?? 100,
      durationSeconds: warmup,
      drainSeconds: 20,
    });
  }
  for (const rate of steps) {
    log(`step: ${rate} orders/s for ${duration} s`);
    const [before, msgs] = [await cpuOf(pids), await brokerMessages(monitorUrl)];
    const load = await runLoad({
      ordersUrl: services.orders?.url ?? "",
      natsUrl: nats.url,
      ratePerSecond: rate,
      durationSeconds: duration,
      drainSeconds: 20,
      onProgress: log,
    });
    const [after, msgsAfterStep] = [await cpuOf(pids), await brokerMessages(monitorUrl)];
    await waitForIdle();
    const cpu = Object.fromEntries(PROCESSES.map((n) => [n, cores(before, after, n)]));
    const rss = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([n, pid]) => [n, await rssMiB(pid)] as const)));
    const cpuUsed = PROCESSES.reduce((sum, n) => {
      const [b, a] = [before[n], after[n]];
      return sum + (b && a ? cpuSeconds(b, a) : 0);
    }, 0);
    const completed = Math.max(load.completed, 1);
    results.push({
      rate,
      load,
      cpuCores: cpu,
      rssMiB: rss,
      cpuMsPerOrder: Math.round((cpuUsed * 1000 * 100) / completed) / 100,
      brokerMessagesPerOrder: Math.round((msgsAfterStep - msgs) / completed),
      fractionOfCeiling: Math.round((load.completedRate / (ceiling.publishesPerSecond / EVENTS_PER_ORDER)) * 1000) / 1000,
    });
  }
} finally {
  await bus.close();
  await Promise.all(Object.values(services).map((s) => s.kill("SIGTERM")));
  await nats.stop();
  await traceSink.close();
}

console.log(formatReport(ceiling, kvFloor, results, sampling));
const exported = traceSink.stats();
console.log(`spans exported over OTLP/HTTP: ${exported.requests} requests, ${Math.round(exported.bytes / 1024)} KiB`);
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify({ ceiling, kvFloor, eventsPerOrder: EVENTS_PER_ORDER, sampling, results }, null, 2)}\n`);
const chartFile = `${values.out.replace(/\.json$/, "")}.svg`;
const points = results.map((r) => chartPointOf(r.load));
const latencyTargets = [
  { label: "HTTP p99 target 50 ms", ms: 50 },
  { label: "saga p99 target 250 ms", ms: 250 },
];
await writeFile(chartFile, await renderChart(points, { title: "shop-bench: latency and throughput", latencyTargets }));
console.log(`\nwritten to ${values.out} and ${chartFile}`);
process.exit(0);
