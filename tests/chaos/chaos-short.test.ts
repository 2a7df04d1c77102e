import { formatTable, runChaos, type ScenarioReport, totalViolations } from "@shop/chaos";
import { describe, expect, it } from "vitest";

function expectNoViolations(reports: readonly ScenarioReport[]): void {
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
}

const log = (m: string) => process.stdout.write(`${m}\n`);

// The short chaos run of CI (the full one is `pnpm chaos`): real processes, real faults, invariants after the drain.
describe("chaos (short)", () => {
  it("service kills, broker kills with a 30 s outage, provider faults: every scenario ends with zero violations", async () => {
    expectNoViolations(await runChaos({ scenarios: ["a", "b", "d"], short: true, log }));
  }, 300_000);

  it("replicas of every service: random SIGKILLs, a rolling restart, a hot SKU contended from every replica: zero violations", async () => {
    expectNoViolations(await runChaos({ scenarios: ["e", "f", "g"], short: true, log }));
  }, 300_000);
});
