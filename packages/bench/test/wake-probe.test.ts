import { fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { waitFor } from "@shop/testkit";
import { describe, expect, it } from "vitest";
import { startWakeProbe, WAKE_PROBE_PERIOD_MS, whileProbingWakes } from "../src/wake-probe.js";

const CHILD = new URL("../dist/wake-probe-child.js", import.meta.url);

/** Pids of this process's children that run the probe (from /proc). */
function probeChildren(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("wake-probe-child");
      } catch {
        return false; // exited while listed
      }
    })
    .map(Number);
}

describe("the wake probe", () => {
  it("reports how late a process of its own woke, from every 5 ms sleep while it ran", async () => {
    const probe = await startWakeProbe();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lateness = await probe.stop();
    const elapsed = performance.now() - started;
    // At most one wake per period (a late wake stretches its period; a busy test machine makes many late).
    expect(lateness.count).toBeGreaterThan(0);
    expect(lateness.count).toBeLessThanOrEqual(elapsed / WAKE_PROBE_PERIOD_MS + 1);
    expect(lateness.p50).toBeGreaterThanOrEqual(0);
    expect(lateness.p99).toBeGreaterThanOrEqual(lateness.p50);
    // No wake can be later than the time the probe ran.
    expect(lateness.max).toBeLessThan(elapsed);
  });

  it("stops its process: a second stop has nothing left to answer", async () => {
    const probe = await startWakeProbe();
    await probe.stop();
    await expect(probe.stop()).rejects.toThrow(/wake probe \(pid \d+\) exited/);
  });

  it("is stopped when the work it watches fails, and the failure is the caller's", async () => {
    const failure = new Error("the step's load failed");
    await expect(
      whileProbingWakes(async () => {
        expect(probeChildren()).toHaveLength(1);
        throw failure;
      }),
    ).rejects.toBe(failure);
    await waitFor(() => probeChildren().length === 0, { what: "the probe process to exit" });
    const { result, wakeLateness } = await whileProbingWakes(async () => "done");
    expect(result).toBe("done");
    expect(wakeLateness.count).toBeGreaterThanOrEqual(0);
  });

  it("exits by itself when the process that started it goes away", async () => {
    const child = fork(CHILD, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    await new Promise((resolve) => child.once("message", resolve));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
