import type { Tally, Violations } from "./checks.js";
import type { ReplicaCounts } from "./stack.js";

export interface ScenarioReport {
  id: string;
  title: string;
  replicas: ReplicaCounts;
  tally: Tally;
  /** `uncleanStops`: replicas stopped with SIGTERM that did not exit 0 within the grace period. */
  violations: Violations & { outageNot503: number; uncleanStops: number };
  details: string[];
  seconds: number;
}

export function totalViolations(report: ScenarioReport): number {
  return Object.values(report.violations).reduce((sum, n) => sum + n, 0);
}

const COLUMNS: Array<[string, (r: ScenarioReport) => string | number]> = [
  ["scenario", (r) => r.id],
  // Processes of orders/inventory/payments.
  ["o/i/p", (r) => `${r.replicas.orders}/${r.replicas.inventory}/${r.replicas.payments}`],
  ["sent", (r) => r.tally.sent],
  ["202", (r) => r.tally.accepted],
  ["confirmed", (r) => r.tally.confirmed],
  ["rejected", (r) => r.tally.rejected],
  ["cancelled", (r) => r.tally.cancelled],
  ["lost", (r) => r.violations.lost],
  ["unrequested", (r) => r.violations.unrequested],
  ["dup orders", (r) => r.violations.duplicateOrders],
  ["2x charged", (r) => r.violations.doubleCharges],
  ["charged!=confirmed", (r) => r.violations.chargeMismatch],
  ["charged unconfirmed", (r) => r.violations.chargedNotConfirmed],
  ["stock", (r) => r.violations.stock],
  ["unacked", (r) => r.violations.unacked],
  ["DLQ", (r) => r.violations.dlq],
  ["broken record", (r) => r.violations.brokenRecords],
  ["outage not 503", (r) => r.violations.outageNot503],
  ["SIGTERM unclean", (r) => r.violations.uncleanStops],
  ["seconds", (r) => Math.round(r.seconds)],
  ["result", (r) => (totalViolations(r) === 0 ? "OK" : "FAIL")],
];

/** The results as a fixed-width table: every violation column must read 0. */
export function formatTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => COLUMNS.map(([, cell]) => String(cell(r))));
  const widths = COLUMNS.map(([name], i) => Math.max(name.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(" | ");
  const legend = reports.map((r) => `  ${r.id}: ${r.title}`).join("\n");
  return [line(COLUMNS.map(([name]) => name)), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line), legend].join("\n");
}
