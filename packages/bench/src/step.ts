import { runLoad } from "@shop/loadgen";
import { connectionCounts, countsByName, sagaBacklog } from "./broker-stats.js";
import { roundTo } from "./figures.js";
import { type CpuSample, contextSwitches, cpuCores, cpuSample, cpuSeconds, kernelCpuSeconds, rssMiB } from "./process-stats.js";
import { EVENTS_PER_ORDER, type StepResult } from "./report.js";
import { postCountsBetween, scrapePostCounts } from "./server-tail.js";
import { type BenchStack, SERVICES } from "./stack.js";
import { stockForRun } from "./stock.js";
import { whileProbingWakes } from "./wake-probe.js";

/** Connection names (Bus.connect) of the services' own NATS connections and of the load generator's. */
const SERVICE_CONNECTIONS = new Set<string>(SERVICES);
const LOADGEN_CONNECTION = "shop-load";

type Log = (line: string) => void;

interface ProcessSample {
  cpu: CpuSample;
  switches: number;
}

async function sampleProcesses(pids: Record<string, number>): Promise<Record<string, ProcessSample>> {
  return Object.fromEntries(
    await Promise.all(
      Object.entries(pids).map(async ([n, pid]) => [n, { cpu: await cpuSample(pid), switches: await contextSwitches(pid) }] as const),
    ),
  );
}

const shareOf = (part: number, whole: number) => (whole > 0 ? roundTo(part / whole, 2) : 0);

/** The service a process name (orders-2) belongs to; nats and loadgen stand for themselves. */
const groupOf = (process: string) => process.replace(/-\d+$/, "");

/** An overloaded step leaves a backlog; the next step starts only once the consumers have caught up. */
export async function waitForIdle(stack: BenchStack, log: Log, limitSeconds = 180): Promise<void> {
  const until = Date.now() + limitSeconds * 1000;
  for (let backlog = await sagaBacklog(stack.bus); backlog > 0; backlog = await sagaBacklog(stack.bus)) {
    if (Date.now() > until) {
      log(`backlog of ${backlog} messages still there after ${limitSeconds} s; going on`);
      return;
    }
    log(`waiting for the consumers to catch up: ${backlog} messages left`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** Untimed load at `rate` (stock set first, like a step) so V8 compiles the hot paths before anything is measured. */
export async function warmUp(stack: BenchStack, rate: number, seconds: number, log: Log): Promise<void> {
  await stockForRun(stack.inventoryUrl, stack.adminToken, Math.round(rate * seconds));
  log(`warm-up: ${rate} orders/s for ${seconds} s (not counted)`);
  await runLoad({ ordersUrl: stack.ordersUrls, natsUrl: stack.nats.url, ratePerSecond: rate, durationSeconds: seconds, drainSeconds: 20 });
  await waitForIdle(stack, log);
}

/**
 * A step as measured; its round comes from the caller, and its fraction of the ceiling once the run's
 * ceiling is known (measured before and after the steps).
 */
export type MeasuredStep = Omit<StepResult, "fractionOfCeiling" | "round">;

/** One measured step: `rate` orders/s open-loop for `seconds`, with CPU, RSS and NATS messages of every process. */
export async function measureStep(stack: BenchStack, rate: number, seconds: number, log: Log): Promise<MeasuredStep> {
  await stockForRun(stack.inventoryUrl, stack.adminToken, Math.round(rate * seconds));
  const label = `${stack.replicas} replica${stack.replicas > 1 ? "s" : ""}${stack.settings === "defaults" ? ", services' defaults" : ""}`;
  log(`step: ${rate} orders/s for ${seconds} s (${label})`);
  const pids = stack.pids();
  const {
    result: { before, connsBefore, postsBefore, load, after, connsAfter, postsAfter },
    wakeLateness,
  } = await whileProbingWakes(async () => {
    const [before, connsBefore, postsBefore] = [
      await sampleProcesses(pids),
      await connectionCounts(stack.monitorUrl),
      await scrapePostCounts(stack.ordersUrls),
    ];
    const load = await runLoad({
      ordersUrl: stack.ordersUrls,
      natsUrl: stack.nats.url,
      ratePerSecond: rate,
      durationSeconds: seconds,
      drainSeconds: 20,
      onProgress: log,
    });
    const [after, connsAfter, postsAfter] = [
      await sampleProcesses(pids),
      await connectionCounts(stack.monitorUrl),
      await scrapePostCounts(stack.ordersUrls),
    ];
    return { before, connsBefore, postsBefore, load, after, connsAfter, postsAfter };
  });
  await waitForIdle(stack, log);
  const rss = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([n, pid]) => [n, await rssMiB(pid)] as const)));

  const cpuCoresByProcess: Record<string, number> = {};
  const cpuByService: Record<string, number> = {};
  const switchesByService: Record<string, number> = {};
  const kernelSecondsByService: Record<string, number> = {};
  const cpuSecondsByService: Record<string, number> = {};
  for (const name of Object.keys(pids)) {
    const [b, a] = [before[name], after[name]];
    if (!b || !a) continue;
    const group = groupOf(name);
    const cores = cpuCores(b.cpu, a.cpu);
    cpuCoresByProcess[name] = roundTo(cores, 2);
    cpuByService[group] = roundTo((cpuByService[group] ?? 0) + cores, 2);
    switchesByService[group] = (switchesByService[group] ?? 0) + a.switches - b.switches;
    kernelSecondsByService[group] = (kernelSecondsByService[group] ?? 0) + kernelCpuSeconds(b.cpu, a.cpu);
    cpuSecondsByService[group] = (cpuSecondsByService[group] ?? 0) + cpuSeconds(b.cpu, a.cpu);
  }
  // The system's cost: every service process and nats-server; the load generator is the client.
  const systemCpuSeconds = Object.entries(cpuSecondsByService).reduce((sum, [group, s]) => sum + (group === "loadgen" ? 0 : s), 0);
  const messages = countsByName(connsBefore, connsAfter);
  const bytes = countsByName(connsBefore, connsAfter, "bytes");
  const serviceMessages = Object.entries(messages).reduce((sum, [name, n]) => sum + (SERVICE_CONNECTIONS.has(name) ? n : 0), 0);
  const completed = Math.max(load.completed, 1);
  const outcomeShares = Object.fromEntries(
    ["CONFIRMED", "REJECTED", "CANCELLED"].map((status) => [status, roundTo(((load.outcomes[status] ?? 0) * 100) / completed, 1)]),
  );
  return {
    rate,
    replicas: stack.replicas,
    settings: stack.settings,
    load,
    postsTimedByOrders: postCountsBetween(postsBefore, postsAfter),
    wakeLateness,
    cpuCores: cpuByService,
    cpuCoresByProcess,
    rssMiB: rss,
    cpuMsPerOrder: roundTo((systemCpuSeconds * 1000) / completed, 2),
    kernelShareOfCpu: Object.fromEntries(
      Object.entries(kernelSecondsByService).map(([group, seconds]) => [group, shareOf(seconds, cpuSecondsByService[group] ?? 0)]),
    ),
    contextSwitchesPerOrder: Object.fromEntries(Object.entries(switchesByService).map(([group, n]) => [group, roundTo(n / completed, 1)])),
    serviceMessagesPerOrder: Math.round(serviceMessages / completed),
    loadgenMessagesPerOrder: roundTo((messages[LOADGEN_CONNECTION] ?? 0) / completed, 1),
    messagesPerOrderByConnection: Object.fromEntries(Object.entries(messages).map(([name, n]) => [name, roundTo(n / completed, 1)])),
    bytesPerOrderByConnection: Object.fromEntries(Object.entries(bytes).map(([name, n]) => [name, Math.round(n / completed)])),
    outcomeShares,
  };
}

/** Completed orders/s as a fraction of (ceiling publishes/s / events per order). */
export function fractionOfCeiling(completedRate: number, ceilingPublishesPerSecond: number): number {
  return roundTo(completedRate / (ceilingPublishesPerSecond / EVENTS_PER_ORDER), 3);
}
