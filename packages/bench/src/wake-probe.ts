import { fork } from "node:child_process";
import type { LatencySummary } from "@shop/loadgen";

/** How long the probe sleeps between wakes. */
export const WAKE_PROBE_PERIOD_MS = 5;

export interface WakeProbe {
  /** Stops the probe and returns how late it woke (ms past each 5 ms sleep). */
  stop(): Promise<LatencySummary>;
}

/**
 * Starts a process that does nothing but wake every 5 ms and note how late it woke. On a shared
 * machine under load that lateness is the run-queue wait every process pays per wake-up; a request
 * crosses several processes in series, so it is a floor under the step's latency that no change in
 * the services can lower.
 */
export async function startWakeProbe(): Promise<WakeProbe> {
  // The built child, also when this module is loaded from src (tests run after the build).
  const child = fork(new URL("../dist/wake-probe-child.js", import.meta.url), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) => reject(new Error(`wake probe (pid ${child.pid}) exited with ${signal ?? code}`))),
  );
  exited.catch(() => undefined);
  const message = <T>() => Promise.race([exited, new Promise<T>((resolve) => child.once("message", (m) => resolve(m as T)))]);
  await message<"ready">();
  return {
    stop: async () => {
      const summary = message<LatencySummary>();
      if (child.connected) child.send("stop");
      return summary;
    },
  };
}

/** Runs `work` with a wake probe beside it; the probe is stopped however `work` ends. */
export async function whileProbingWakes<T>(work: () => Promise<T>): Promise<{ result: T; wakeLateness: LatencySummary }> {
  const probe = await startWakeProbe();
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await probe.stop().catch(() => undefined);
    throw err;
  }
  return { result, wakeLateness: await probe.stop() };
}
