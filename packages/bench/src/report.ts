import type { LatencySummary, LoadResult } from "@shop/loadgen";
import { compareSteps, formatComparisons } from "./compare.js";
import { roundTo } from "./figures.js";
import type { KvFloor } from "./floor.js";
import { formatStepMedians, medianSteps } from "./rounds.js";
import type { PostCounts } from "./server-tail.js";
import type { Settings } from "./stack.js";

/** One measurement of the broker's ceiling. */
export interface CeilingRun {
  /** Before the steps or after them. */
  when: "before" | "after";
  /** Pipelined JetStream publishes per second (each is a message in and an ack out). */
  publishesPerSecond: number;
  /** Messages through the broker per second (in + out) during the ceiling run. */
  brokerMessagesPerSecond: number;
  bytes: number;
  /** CPU of the broker and of the publishing client during the ceiling run, in cores. */
  cpuCores: { nats: number; client: number };
}

/** The ceiling the steps are judged against: the mean of `runs`. */
export interface Ceiling extends Omit<CeilingRun, "when"> {
  runs: CeilingRun[];
}

export interface StepResult {
  rate: number;
  /** Processes of each service in this step's stack. */
  replicas: number;
  /** Which round of --rounds measured it (from 1): every round starts fresh stacks. */
  round: number;
  /**
   * "bench": the bench's settings (LOG_LEVEL=warn, no rate limit, sampled tracing); "defaults": the
   * services' own; "split": the control of --split, two independent one-replica stacks under the
   * bench's settings offered half the rate each, their figures summed (latencies: the slower half's).
   */
  settings: Settings | "split";
  load: LoadResult;
  /** POST /orders during the step as the orders processes timed them (their own histogram, replicas summed). */
  postsTimedByOrders: PostCounts;
  /** How late a process of its own woke from 5 ms sleeps during the step (the machine's run-queue wait; see wake-probe.ts). */
  wakeLateness: LatencySummary;
  /** CPU cores by service (its replicas summed), nats and loadgen. */
  cpuCores: Record<string, number>;
  /** CPU cores by process: orders-1, orders-2, …, nats, loadgen. */
  cpuCoresByProcess: Record<string, number>;
  /** RSS in MiB by process, after the step's backlog was worked off. */
  rssMiB: Record<string, number>;
  /** CPU milliseconds per completed order of every service process and nats-server (not the load generator). */
  cpuMsPerOrder: number;
  /** Share of each service's CPU (replicas summed), nats' and loadgen's spent in the kernel. */
  kernelShareOfCpu: Record<string, number>;
  /** Context switches (every thread, voluntary and not) per completed order by service (replicas summed), nats and loadgen. */
  contextSwitchesPerOrder: Record<string, number>;
  /** Messages (in + out) on the services' own NATS connections per completed order, from /connz. */
  serviceMessagesPerOrder: number;
  /** Messages on the load generator's NATS connection (its subscriptions to the terminal events) per completed order. */
  loadgenMessagesPerOrder: number;
  /** Messages (in + out) per completed order by NATS connection name (orders, inventory, payments, shop-load, shop-bench). */
  messagesPerOrderByConnection: Record<string, number>;
  /** Bytes (in + out, payloads and headers) per completed order by NATS connection name. */
  bytesPerOrderByConnection: Record<string, number>;
  /** Completed orders by outcome, in percent (CONFIRMED, REJECTED, CANCELLED). */
  outcomeShares: Record<string, number>;
  /** Achieved orders/s as a fraction of (publish ceiling / events per order). */
  fractionOfCeiling: number;
}

export const EVENTS_PER_ORDER = 3;

const percent = (part: number, whole: number) => `${whole > 0 ? roundTo((part * 100) / whole, 1) : 0}%`;

/** Where the slow requests were slow: from the generator's intended send, or inside orders. */
function slowShares({ load: { http }, postsTimedByOrders: inOrders }: StepResult): string {
  return `${percent(http.over50Ms, http.count)} of ${http.count} from the generator's intended send to the response, ${percent(inOrders.over50Ms, inOrders.requests)} of ${inOrders.requests} inside orders (its own histogram, from the request's arrival)`;
}
export const SERVICE_COLUMNS = ["orders", "inventory", "payments"] as const;
export const CPU_COLUMNS = [...SERVICE_COLUMNS, "nats", "loadgen"] as const;

export function formatReport(
  ceiling: Ceiling,
  kvFloor: readonly KvFloor[],
  results: readonly StepResult[],
  sampling: number,
  serviceEnv: Record<string, string> = {},
  natsGomaxprocs = 0,
): string {
  const withRounds = results.some((r) => r.round > 1);
  const header = [
    ...(withRounds ? ["round"] : []),
    "replicas",
    "settings",
    "offered/s",
    "202/s",
    "done/s",
    "errors",
    "http p50",
    "p99",
    "p99.9",
    "saga p50",
    "p99",
    "wake p99",
    "conf/rej/canc %",
    "cpu ord/inv/pay/nats/load",
    "cpu ms/order",
    "svc msgs/order",
    "load msgs/order",
    "rss MiB ord/inv/pay",
    "of ceiling",
  ];
  const rows = results.map((r) => [
    ...(withRounds ? [r.round] : []),
    r.replicas,
    r.settings,
    r.rate,
    r.load.acceptedRate,
    r.load.completedRate,
    Object.values(r.load.errors).reduce((a, b) => a + b, 0),
    r.load.http.p50,
    r.load.http.p99,
    r.load.http.p999,
    r.load.saga.p50,
    r.load.saga.p99,
    r.wakeLateness.p99,
    ["CONFIRMED", "REJECTED", "CANCELLED"].map((s) => r.outcomeShares[s] ?? 0).join("/"),
    CPU_COLUMNS.map((n) => r.cpuCores[n] ?? 0).join("/"),
    r.cpuMsPerOrder,
    r.serviceMessagesPerOrder,
    r.loadgenMessagesPerOrder,
    // The largest replica of each service: what one process needs.
    SERVICE_COLUMNS.map((n) => Math.max(0, ...Object.entries(r.rssMiB).flatMap(([p, mib]) => (p.startsWith(`${n}-`) ? [mib] : [])))).join(
      "/",
    ),
    r.fractionOfCeiling,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i] ?? 0)).join(" | ");
  const best = results
    .filter((r) => r.settings !== "split")
    .reduce<StepResult | undefined>((b, r) => (!b || r.load.completedRate > b.load.completedRate ? r : b), undefined);
  const lines = [
    `broker ceiling: ${ceiling.publishesPerSecond} publishes/s (${ceiling.bytes} B, ids, pipelined) = ${ceiling.brokerMessagesPerSecond} broker msgs/s, using ${ceiling.cpuCores.nats} cores in nats-server and ${ceiling.cpuCores.client} in the client`,
    ...(ceiling.runs.length > 1
      ? [
          `  the mean of ${ceiling.runs.map((r) => `${r.publishesPerSecond} (${r.when} the steps)`).join(" and ")}; "of ceiling" is against the mean`,
        ]
      : []),
    ...kvFloor.map(
      (f) => `one KV write, ${f.mode}: ${f.putsPerSecond}/s, cpu ${f.clientMicros} µs in the client + ${f.serverMicros} µs in nats-server`,
    ),
    `${EVENTS_PER_ORDER} events per order; tracing sampled at ${sampling} (bench settings); machine: 2 cores = ${Math.round(2000 / (best?.load.completedRate || 1))} cpu ms per order at the best step's rate`,
    `the steps' nats-server runs with ${natsGomaxprocs > 0 ? `GOMAXPROCS=${natsGomaxprocs}` : "Go's default GOMAXPROCS"}, the ceiling's with Go's default`,
    ...(Object.keys(serviceEnv).length > 0
      ? [
          `bench settings also set (--set): ${Object.entries(serviceEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`,
        ]
      : []),
    "wake p99: how late a process of its own woke from 5 ms sleeps during the step (ms): the machine's run-queue wait, paid at every hop of a request",
    "cpu ms/order: every service process and nats-server, not the load generator; msgs/order: in + out on the services' own NATS connections (svc) and on the generator's (load); rss: the largest replica",
    line(header),
    ...rows.map(line),
  ];
  if (best && best.serviceMessagesPerOrder > 0) {
    lines.push(
      `broker-bound limit: ${Math.round(ceiling.brokerMessagesPerSecond / best.serviceMessagesPerOrder)} orders/s (ceiling msgs/s / services' msgs per order), even if the services cost nothing`,
    );
  }
  for (const r of results) {
    const perConnection = Object.entries(r.bytesPerOrderByConnection)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ");
    const step = `${r.rate}/s (${r.replicas} replica(s), ${r.settings}${withRounds ? `, round ${r.round}` : ""})`;
    lines.push(`bytes/order at ${step}, in + out by NATS connection: ${perConnection}`);
    const processes = CPU_COLUMNS.map(
      (name) => `${name} ${r.contextSwitchesPerOrder[name] ?? "-"} (${Math.round((r.kernelShareOfCpu[name] ?? 0) * 100)}%)`,
    ).join(", ");
    lines.push(`context switches/order (and kernel share of CPU) at ${step}: ${processes}`);
    lines.push(`POST /orders over 50 ms at ${step}: ${slowShares(r)}`);
  }
  lines.push(...formatStepMedians(medianSteps(results)));
  lines.push(...formatComparisons(compareSteps(results)));
  const limited = results.filter((r) => r.settings === "defaults" && (r.load.errors["429"] ?? 0) > 0);
  for (const r of limited) {
    lines.push(
      `services' defaults at ${r.rate}/s: ${r.load.errors["429"]} requests answered 429: RATE_LIMIT_MAX (200 per client address per second by default, per orders process) and the generator is one address`,
    );
  }
  return lines.join("\n");
}
