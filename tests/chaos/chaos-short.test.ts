import { formatTable, runChaos, totalViolations } from "@shop/chaos";
import { describe, expect, it } from "vitest";

// The short chaos run of CI (the full one is `pnpm chaos`): real processes, real faults, invariants after the drain.
describe("chaos (short): service kills, broker kills with a 30 s outage, provider faults", () => {
  it("every scenario ends with zero violations", async () => {
    const reports = await runChaos({ scenarios: ["a", "b", "d"], short: true, log: (m) => process.stdout.write(`${m}\n`) });
    process.stdout.write(`${formatTable(reports)}\n`);
    for (const report of reports) {
      expect(report.tally.accepted, `scenario ${report.id} accepted orders`).toBeGreaterThan(100);
      expect({ scenario: report.id, violations: report.violations, details: report.details }).toEqual({
        scenario: report.id,
        violations: Object.fromEntries(Object.keys(report.violations).map((k) => [k, 0])),
        details: [],
      });
      expect(totalViolations(report)).toBe(0);
    }
  }, 300_000);
});
