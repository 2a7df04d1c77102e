import { describe, expect, it } from "vitest";
import { startWakeProbe, WAKE_PROBE_PERIOD_MS } from "../src/wake-probe.js";

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
});
