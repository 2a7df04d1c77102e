import { Bus } from "@shop/eventbus";
import { startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { brokerMessages } from "./broker-stats.js";
import { measureCeiling } from "./ceiling.js";
import { roundTo } from "./figures.js";
import { type KvFloor, measureKvFloor } from "./floor.js";
import { type CpuSample, cpuCores, cpuSample } from "./process-stats.js";
import type { Ceiling, CeilingRun } from "./report.js";

/**
 * One measurement of the broker's ceiling, on a nats-server of its own (Go's default settings) so
 * its streams and counters touch no step; with `kvFloor`, also what one KV write costs there.
 */
export async function calibrate(
  seconds: number,
  when: CeilingRun["when"],
  { kvFloor = false }: { kvFloor?: boolean } = {},
): Promise<{ run: CeilingRun; kvFloor: KvFloor[] }> {
  const server = await startNatsServer({ monitoring: true });
  try {
    const monitorUrl = server.monitorUrl as string;
    const bus = await Bus.connect({ url: server.url, name: "shop-bench", logger: pino({ level: "silent" }) });
    try {
      const natsPid = server.pid ?? 0;
      const sample = async () => ({ nats: await cpuSample(natsPid), client: await cpuSample(process.pid) });
      const cores = (before: CpuSample, after: CpuSample) => roundTo(cpuCores(before, after), 2);
      const [cpuBefore, msgsBefore] = [await sample(), await brokerMessages(monitorUrl)];
      const measured = await measureCeiling(bus, seconds);
      const [cpuAfter, msgsAfter] = [await sample(), await brokerMessages(monitorUrl)];
      const elapsed = (cpuAfter.nats.at - cpuBefore.nats.at) / 1000;
      const run: CeilingRun = {
        when,
        ...measured,
        brokerMessagesPerSecond: Math.round((msgsAfter - msgsBefore) / elapsed),
        cpuCores: { nats: cores(cpuBefore.nats, cpuAfter.nats), client: cores(cpuBefore.client, cpuAfter.client) },
      };
      return { run, kvFloor: kvFloor ? await measureKvFloor(bus, natsPid) : [] };
    } finally {
      await bus.close();
    }
  } finally {
    await server.stop();
  }
}

/**
 * The ceiling a run is judged against: the mean of its measurements (before and after the steps).
 * The machine is shared and one 5 s window can land in a slow or a fast spell; the steps ran in
 * between, so the mean is the better estimate of what the broker could do meanwhile.
 */
export function ceilingOf(runs: readonly CeilingRun[]): Ceiling {
  if (runs.length === 0) throw new Error("ceilingOf: no ceiling measured");
  const mean = (pick: (run: CeilingRun) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  const cores = (pick: (run: CeilingRun) => number) => roundTo(mean(pick), 2);
  return {
    publishesPerSecond: Math.round(mean((r) => r.publishesPerSecond)),
    brokerMessagesPerSecond: Math.round(mean((r) => r.brokerMessagesPerSecond)),
    bytes: runs[0]?.bytes ?? 0,
    cpuCores: { nats: cores((r) => r.cpuCores.nats), client: cores((r) => r.cpuCores.client) },
    runs: [...runs],
  };
}
