import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { contextSwitches } from "../src/process-stats.js";

describe("contextSwitches", () => {
  it("counts every wake-up of a process, in all its threads", async () => {
    // A child that sleeps 2 ms at a time 200 times: each sleep ends with a wake-up (a voluntary switch).
    const child = spawn(
      process.execPath,
      ["-e", "let n = 0; const t = setInterval(() => { if (++n === 200) clearInterval(t); }, 2); process.stdin.once('data', () => {});"],
      {
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    try {
      const pid = child.pid as number;
      const first = await contextSwitches(pid);
      expect(first).toBeGreaterThan(0);
      // Wait for the 200 ticks: poll the count itself, since that is what is measured.
      let now = first;
      for (let i = 0; i < 200 && now - first < 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        now = await contextSwitches(pid);
      }
      expect(now - first).toBeGreaterThanOrEqual(200);
    } finally {
      child.stdin?.end();
      child.kill();
      await once(child, "exit");
    }
  });

  it("refuses a process that does not exist", async () => {
    await expect(contextSwitches(2 ** 22 + 1)).rejects.toThrow(/ENOENT/);
  });
});
