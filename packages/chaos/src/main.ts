#!/usr/bin/env node
import { parseArgs } from "node:util";
import { formatTable, runChaos, SCENARIOS, totalViolations } from "./index.js";

const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    scenarios: { type: "string", default: SCENARIOS.map((s) => s.id).join(",") },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`shop-chaos [--short] [--scenarios a,b,d]\n\n${SCENARIOS.map((s) => `  ${s.id}: ${s.title}`).join("\n")}`);
  process.exit(0);
}

const reports = await runChaos({ scenarios: values.scenarios.split(",").map((s) => s.trim()), short: values.short });
console.log(formatTable(reports));
const violations = reports.reduce((sum, r) => sum + totalViolations(r), 0);
console.log(violations === 0 ? "\nzero violations" : `\n${violations} violation(s)`);
process.exit(violations === 0 ? 0 : 1);
