import { readdir, readFile } from "node:fs/promises";

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface CpuSample {
  /** User + system. */
  ticks: number;
  /** In the kernel (system calls, interrupts, page faults) on the process's behalf. */
  systemTicks: number;
  at: number;
}

/** Cumulative CPU ticks (user + system) of a process, from /proc. */
export async function cpuSample(pid: number): Promise<CpuSample> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ticks: Number(fields[11]) + Number(fields[12]), systemTicks: Number(fields[12]), at: Date.now() };
}

/** CPU seconds a process used between two samples. */
export function cpuSeconds(before: CpuSample, after: CpuSample): number {
  return (after.ticks - before.ticks) / CLOCK_TICKS;
}

/** The part of cpuSeconds spent in the kernel. */
export function kernelCpuSeconds(before: CpuSample, after: CpuSample): number {
  return (after.systemTicks - before.systemTicks) / CLOCK_TICKS;
}

/** CPU use between two samples, in cores (1.0 = one core busy all the time). */
export function cpuCores(before: CpuSample, after: CpuSample): number {
  const seconds = (after.at - before.at) / 1000;
  return seconds > 0 ? cpuSeconds(before, after) / seconds : 0;
}

const VOLUNTARY_SWITCHES = /^voluntary_ctxt_switches:\s+(\d+)/m;
const INVOLUNTARY_SWITCHES = /^nonvoluntary_ctxt_switches:\s+(\d+)/m;

/**
 * Context switches of every thread of a process so far (voluntary: it slept and was woken;
 * involuntary: preempted). A wake-up is dear on a virtual machine, so they explain CPU per order.
 * Threads that ended are not counted (Node's and Go's threads live as long as the process).
 */
export async function contextSwitches(pid: number): Promise<number> {
  const tasks = await readdir(`/proc/${pid}/task`);
  const counts = await Promise.all(
    tasks.map(async (tid) => {
      const status = await readFile(`/proc/${pid}/task/${tid}/status`, "utf8").catch(() => "");
      const count = (field: RegExp) => Number(field.exec(status)?.[1] ?? 0);
      return count(VOLUNTARY_SWITCHES) + count(INVOLUNTARY_SWITCHES);
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Resident set size in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
