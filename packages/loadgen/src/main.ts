#!/usr/bin/env node
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type ChartPoint, chartPointOf, formatResult, type LoadResult, renderChart, runLoad } from "./index.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: process.env.ORDERS_URL ?? "http://127.0.0.1:3000" },
    "nats-url": { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    rate: { type: "string", default: "100" },
    duration: { type: "string", default: "10" },
    drain: { type: "string", default: "30" },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`shop-load [--rate 100] [--duration 10] [--url ${values.url}[,url2...]] [--nats-url ${values["nats-url"]}] [--drain 30] [--out result.json]
shop-load chart result.json|bench.json... [--out chart.svg]

Open-loop load on POST /orders: request i is sent at start + i/rate whatever came before, and its
latency counts from that intended time. Several --url (comma-separated replicas of orders) get the
requests round-robin. End-to-end latency runs to the order's terminal event (payments succeeded or
failed, inventory rejected), watched on --nats-url. 'chart' draws throughput and latency against offered rate from
shop-load results (one point each) or a shop-bench JSON (one point per step).`);
  process.exit(0);
}

if (positionals[0] === "chart") {
  const files = positionals.slice(1);
  if (files.length === 0) {
    console.error("shop-load chart: name at least one result JSON (from shop-load --out or shop-bench)");
    process.exit(2);
  }
  const points: ChartPoint[] = [];
  for (const file of files) {
    const json = JSON.parse(await readFile(file, "utf8")) as LoadResult | { results: { load: LoadResult }[] };
    const loads = "results" in json ? json.results.map((r) => r.load) : [json];
    points.push(...loads.map(chartPointOf));
  }
  const out = values.out ?? "chart.svg";
  await writeFile(out, await renderChart(points));
  console.log(`chart of ${points.length} points written to ${out}`);
  process.exit(0);
} else if (positionals.length > 0) {
  console.error(`shop-load: unknown command ${JSON.stringify(positionals[0])} (try --help)`);
  process.exit(2);
}

const number = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`shop-load: --${name} must be a positive number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
};

const urls = values.url
  .split(",")
  .map((url) => url.trim())
  .filter((url) => url !== "");
if (urls.length === 0) {
  console.error("shop-load: --url needs at least one URL");
  process.exit(2);
}

const result = await runLoad({
  ordersUrl: urls,
  natsUrl: values["nats-url"],
  ratePerSecond: number("rate", values.rate),
  durationSeconds: number("duration", values.duration),
  drainSeconds: number("drain", values.drain),
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
console.log(formatResult(result));
if (values.out) await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
