import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bus } from "@shop/eventbus";
import { waitFor } from "@shop/testkit";
import { pino } from "pino";
import { startBalancer } from "./balancer.js";
import { checkInvariants, drained } from "./checks.js";
import { type SentRequest, startLoad } from "./load.js";
import { formatTable, type ScenarioReport, totalViolations } from "./report.js";
import { HOT_SKU, heal, SCENARIOS, type Scenario } from "./scenarios.js";
import { workSpread } from "./spread.js";
import { admin, GRACE_PERIOD_MS, ONE_EACH, startChaosStack } from "./stack.js";

export { formatTable, type ScenarioReport, totalViolations } from "./report.js";
export { SCENARIOS } from "./scenarios.js";

export interface ChaosOptions {
  scenarios: readonly string[];
  short: boolean;
  log?: (message: string) => void;
}

/** Runs each scenario on a fresh stack: load, fault, heal, drain, check. */
export async function runChaos({ scenarios, short, log = (m) => process.stderr.write(`${m}\n`) }: ChaosOptions): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const id of scenarios) {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`unknown scenario ${id}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
    reports.push(await runScenario(scenario, short, (m) => log(`[${id}] ${m}`)));
  }
  return reports;
}

async function runScenario(scenario: Scenario, short: boolean, log: (message: string) => void): Promise<ScenarioReport> {
  const started = Date.now();
  log(`${scenario.title}: starting a fresh stack`);
  const counts = scenario.replicas ?? ONE_EACH;
  const stack = await startChaosStack({ cluster: scenario.cluster ?? false, counts });
  const bus = await Bus.connect({ url: stack.natsUrl, name: "chaos", logger: pino({ level: "silent" }) });
  // Requests go to the orders replicas that are up, round-robin, as through a load balancer.
  const balancer = startBalancer({ backends: () => stack.replicas.orders.map((r) => r.url) });
  try {
    // A hot SKU with less stock than the load will ask for (stock lives in KV: one replica suffices).
    await admin(stack.services.inventory.url, `/admin/stock/${HOT_SKU}`, { available: scenario.hotStock ?? 25 });
    const load = startLoad({
      orders: balancer,
      ratePerSecond: 25,
      retryShare: 0.1,
      hotSku: HOT_SKU,
      hotShare: 0.2,
      declineShare: 0.05,
      ...scenario.load,
    });
    const outageProbes: Array<{ customerId: string; status: number }> = [];
    await scenario.inject({ stack, bus, short, log, outageProbes });
    await load.stop();
    log(`load stopped after ${load.sent.length} requests; healing and draining`);
    await heal(stack);
    const sent: SentRequest[] = [
      ...load.sent,
      ...outageProbes.map((p) => ({ customerId: p.customerId, idempotencyKey: "", items: [], statuses: [p.status] })),
    ];
    await waitFor(() => drained(bus, sent), {
      what: "every accepted order terminal and every consumer acked",
      timeoutMs: 180_000,
      intervalMs: 1_000,
    }).catch((err) => log(`not drained: ${(err as Error).message}`));
    for (const line of await workSpread(stack)) log(`acked per replica, ${line}`);
    const { tally, violations, details } = await checkInvariants(bus, sent, { dlqMustBeEmpty: scenario.infrastructureOnly });
    // Every replica stopped with SIGTERM must have drained and exited 0 within the grace period.
    const unclean = stack.gracefulStops.filter((s) => s.exitCode !== 0 || s.forced || s.ms > GRACE_PERIOD_MS);
    for (const s of unclean) details.push(`SIGTERM of ${s.replica}: exit ${s.exitCode} after ${s.ms} ms${s.forced ? " (SIGKILLed)" : ""}`);
    const report: ScenarioReport = {
      id: scenario.id,
      title: scenario.title,
      replicas: counts,
      tally,
      // During the outage every POST must be refused with 503: never a 202, nor a 5xx of another kind.
      violations: {
        ...violations,
        outageNot503: outageProbes.filter((p) => p.status !== 503).length,
        uncleanStops: unclean.length,
      },
      details,
      seconds: (Date.now() - started) / 1000,
    };
    log(`${totalViolations(report) === 0 ? "OK" : "FAIL"}${details.length ? `: ${details.join("; ")}` : ""}`);
    if (totalViolations(report) > 0) {
      // The services' own logs are what explains a violation: keep them.
      const dir = await mkdtemp(join(tmpdir(), `shop-chaos-${scenario.id}-`));
      for (const [replica, output] of Object.entries(stack.outputs())) await writeFile(join(dir, `${replica}.log`), output);
      log(`service logs kept in ${dir}`);
    }
    return report;
  } finally {
    await balancer.stop();
    await bus.close();
    await stack.stop();
  }
}

export function summary(reports: readonly ScenarioReport[]): string {
  return formatTable(reports);
}
