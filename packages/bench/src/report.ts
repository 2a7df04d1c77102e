import type { LoadResult } from "@shop/loadgen";
import type { KvFloor } from "./floor.js";

export interface Ceiling {
  /** Pipelined JetStream publishes per second (each is a message in and an ack out). */
  publishesPerSecond: number;
  /** Messages through the broker per second (in + out) during the ceiling run. */
  brokerMessagesPerSecond: number;
  bytes: number;
  /** CPU of the broker and of the publishing client during the ceiling run, in cores. */
  cpuCores: { nats: number; client: number };
}

export interface StepResult {
  rate: number;
  load: LoadResult;
  cpuCores: Record<string, number>;
  rssMiB: Record<string, number>;
  /** CPU milliseconds spent per completed order, all processes together (the machine's budget is cores * 1000 / rate). */
  cpuMsPerOrder: number;
  /** Messages through the broker (in + out) per completed order. */
  brokerMessagesPerOrder: number;
  /** Achieved orders/s as a fraction of (publish ceiling / events per order). */
  fractionOfCeiling: number;
}

export const EVENTS_PER_ORDER = 3;
export const PROCESSES = ["orders", "inventory", "payments", "nats", "loadgen"] as const;

export function formatReport(ceiling: Ceiling, kvFloor: readonly KvFloor[], results: readonly StepResult[], sampling: number): string {
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
    "cpu ms/order",
    "broker msgs/order",
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
    PROCESSES.map((n) => r.cpuCores[n]).join("/"),
    r.cpuMsPerOrder,
    r.brokerMessagesPerOrder,
    ["orders", "inventory", "payments"].map((n) => r.rssMiB[n]).join("/"),
    r.fractionOfCeiling,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i] ?? 0)).join(" | ");
  const best = results.reduce<StepResult | undefined>((b, r) => (!b || r.load.completedRate > b.load.completedRate ? r : b), undefined);
  const lines = [
    `broker ceiling: ${ceiling.publishesPerSecond} publishes/s (${ceiling.bytes} B, ids, pipelined) = ${ceiling.brokerMessagesPerSecond} broker msgs/s, using ${ceiling.cpuCores.nats} cores in nats-server and ${ceiling.cpuCores.client} in the client`,
    ...kvFloor.map(
      (f) => `one KV write, ${f.mode}: ${f.putsPerSecond}/s, cpu ${f.clientMicros} µs in the client + ${f.serverMicros} µs in nats-server`,
    ),
    `${EVENTS_PER_ORDER} events per order; tracing sampled at ${sampling}; machine: 2 cores = ${Math.round(2000 / (best?.load.completedRate || 1))} cpu ms per order at the best step's rate`,
    line(header),
    ...rows.map(line),
  ];
  if (best && best.brokerMessagesPerOrder > 0) {
    lines.push(
      `broker-bound limit: ${Math.round(ceiling.brokerMessagesPerSecond / best.brokerMessagesPerOrder)} orders/s (ceiling msgs/s / msgs per order), even if the services cost nothing`,
    );
  }
  return lines.join("\n");
}
