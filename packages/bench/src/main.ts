#!/usr/bin/env node
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { Bus } from "@shop/eventbus";
import { type LoadResult, runLoad } from "@shop/loadgen";
import { type ServiceProcess, startNatsServer, startServiceProcess } from "@shop/testkit";
import { pino } from "pino";
import { measureCeiling } from "./ceiling.js";
import { cpuCores, cpuSample, rssMiB } from "./process-stats.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "500,1000,2000,3000,4000" },
    duration: { type: "string", default: "20" },
    "ceiling-seconds": { type: "string", default: "5" },
    sampling: { type: "string", default: "0.1" },
    profile: { type: "string" },
    out: { type: "string", default: `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json` },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    "shop-bench [--steps 500,1000,2000,3000,4000] [--duration 20] [--ceiling-seconds 5] [--sampling 0.1] [--profile dir] [--out file.json]",
  );
  process.exit(0);
}

// Events published per order on the saga's path: created, reserved or rejected, succeeded or failed.
const EVENTS_PER_ORDER = 3;
const log = (line: string) => process.stderr.write(`${line}\n`);
const steps = values.steps.split(",").map(Number);
const duration = Number(values.duration);

log("starting a fresh nats-server");
const nats = await startNatsServer();
const bus = await Bus.connect({ url: nats.url, name: "shop-bench", logger: pino({ level: "silent" }) });
log(`measuring the broker ceiling for ${values["ceiling-seconds"]} s`);
const ceiling = await measureCeiling(bus, Number(values["ceiling-seconds"]));
log(`ceiling: ${ceiling.messagesPerSecond} pipelined publishes/s of ${ceiling.bytes}-byte events`);

const env = {
  NATS_URL: nats.url,
  LOG_LEVEL: "warn",
  RATE_LIMIT_MAX: "1000000000",
  OTEL_TRACES_SAMPLER_ARG: values.sampling,
};
const services: Record<string, ServiceProcess> = {};
for (const name of ["orders", "inventory", "payments"]) {
  // --profile: each service writes a V8 CPU profile (open in Chrome DevTools) when it exits.
  const nodeArgs = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  services[name] = await startServiceProcess(name, { env, readyTimeoutMs: 30_000, nodeArgs });
}
const pids: Record<string, number> = { nats: nats.pid ?? 0, loadgen: process.pid };
for (const [name, service] of Object.entries(services)) pids[name] = service.pid ?? 0;

interface StepResult {
  rate: number;
  load: LoadResult;
  cpuCores: Record<string, number>;
  rssMiB: Record<string, number>;
  fractionOfCeiling: number;
}
const results: StepResult[] = [];
try {
  for (const rate of steps) {
    log(`step: ${rate} orders/s for ${duration} s`);
    const before = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([n, pid]) => [n, await cpuSample(pid)] as const)));
    const load = await runLoad({
      ordersUrl: services.orders?.url ?? "",
      natsUrl: nats.url,
      ratePerSecond: rate,
      durationSeconds: duration,
      drainSeconds: 20,
      onProgress: log,
    });
    const cpu: Record<string, number> = {};
    const rss: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const sample = before[name];
      if (sample) cpu[name] = Math.round(cpuCores(sample, await cpuSample(pid)) * 100) / 100;
      rss[name] = await rssMiB(pid);
    }
    const fractionOfCeiling = Math.round((load.completedRate / (ceiling.messagesPerSecond / EVENTS_PER_ORDER)) * 1000) / 1000;
    results.push({ rate, load, cpuCores: cpu, rssMiB: rss, fractionOfCeiling });
  }
} finally {
  await bus.close();
  await Promise.all(Object.values(services).map((s) => s.kill("SIGTERM")));
  await nats.stop();
}

const header = [
  "offered/s",
  "202/s",
  "done/s",
  "errors",
  "http p50",
  "p99",
  "p99.9",
  "saga p50",
  "p99",
  "cpu ord/inv/pay/nats/load",
  "rss MiB ord/inv/pay",
  "of ceiling",
];
const rows = results.map((r) => [
  r.rate,
  r.load.acceptedRate,
  r.load.completedRate,
  Object.values(r.load.errors).reduce((a, b) => a + b, 0),
  r.load.http.p50,
  r.load.http.p99,
  r.load.http.p999,
  r.load.saga.p50,
  r.load.saga.p99,
  ["orders", "inventory", "payments", "nats", "loadgen"].map((n) => r.cpuCores[n]).join("/"),
  ["orders", "inventory", "payments"].map((n) => r.rssMiB[n]).join("/"),
  r.fractionOfCeiling,
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i] ?? 0)).join(" | ");
console.log(
  `broker ceiling: ${ceiling.messagesPerSecond} publishes/s (${ceiling.bytes} B, ids, pipelined); ${EVENTS_PER_ORDER} events per order; tracing sampled at ${values.sampling}`,
);
console.log([line(header), ...rows.map(line)].join("\n"));
await mkdir(dirname(values.out), { recursive: true });
await writeFile(
  values.out,
  `${JSON.stringify({ ceiling, eventsPerOrder: EVENTS_PER_ORDER, sampling: Number(values.sampling), results }, null, 2)}\n`,
);
console.log(`\nwritten to ${values.out}`);
process.exit(0);
