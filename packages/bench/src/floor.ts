import type { Bus } from "@shop/eventbus";
import { type CpuSample, cpuSample, cpuSeconds } from "./process-stats.js";

export interface KvFloor {
  mode: string;
  putsPerSecond: number;
  /** CPU per KV put, in microseconds, in the client and in nats-server. */
  clientMicros: number;
  serverMicros: number;
}

const BUCKET = "bench-floor";

/**
 * What one KV write costs on this machine, paced (each put alone, as at low load) and pipelined (as
 * at the broker's ceiling): the floor under every saga step, measured with the services' own JsonKv.
 */
export async function measureKvFloor(bus: Bus, natsPid: number, seconds = 2): Promise<KvFloor[]> {
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKET] });
  const kv = await bus.kv<{ i: number }>(BUCKET);
  const run = async (mode: string, send: () => Promise<number>): Promise<KvFloor> => {
    const [client, server] = [await cpuSample(process.pid), await cpuSample(natsPid)];
    const started = performance.now();
    const puts = await send();
    const elapsed = (performance.now() - started) / 1000;
    const [clientAfter, serverAfter] = [await cpuSample(process.pid), await cpuSample(natsPid)];
    const micros = (before: CpuSample, after: CpuSample) => Math.round((cpuSeconds(before, after) * 1_000_000) / puts);
    return {
      mode,
      putsPerSecond: Math.round(puts / elapsed),
      clientMicros: micros(client, clientAfter),
      serverMicros: micros(server, serverAfter),
    };
  };
  const paced = (rate: number) => async () => {
    const total = rate * seconds;
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(kv.put(`paced-${i % 64}`, { i }));
    }
    await Promise.all(pending);
    return total;
  };
  const pipelined = async () => {
    let sent = 0;
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 64 }, async (_, lane) => {
        while (performance.now() < deadline) {
          sent++;
          await kv.put(`pipelined-${lane}`, { i: sent });
        }
      }),
    );
    return sent;
  };
  // Pipelined first: it also warms up the client's JIT before the paced run is measured.
  const results = [await run("pipelined x64", pipelined), await run("paced 2000/s", paced(2_000))];
  await bus.jsm.streams.delete(`KV_${BUCKET}`);
  return results;
}
