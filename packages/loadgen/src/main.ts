#!/usr/bin/env node
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatResult, runLoad } from "./index.js";

const { values } = parseArgs({
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
  console.log(`shop-load [--rate 100] [--duration 10] [--url ${values.url}] [--nats-url ${values["nats-url"]}] [--drain 30] [--out result.json]

Open-loop load on POST /orders: request i is sent at start + i/rate whatever came before, and its
latency counts from that intended time. End-to-end latency runs to the order's terminal state,
watched in the orders view bucket.`);
  process.exit(0);
}

const number = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`shop-load: --${name} must be a positive number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
};

const result = await runLoad({
  ordersUrl: values.url,
  natsUrl: values["nats-url"],
  ratePerSecond: number("rate", values.rate),
  durationSeconds: number("duration", values.duration),
  drainSeconds: number("drain", values.drain),
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
console.log(formatResult(result));
if (values.out) await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
