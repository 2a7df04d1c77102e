#!/usr/bin/env node
/**
 * The compose stack for real, in containers (run by scripts/containers.sh after it built the
 * images): starts docker-compose.yml with the stand-in override on free host ports, drives it through
 * the published ports, restarts NATS under load, stops the services as `down` does, then does the
 * same with the 3-node cluster override and kills the NATS leader under load. Prints one line per
 * step; exits 1 at the first failed step (the stack is taken down either way).
 */
import { parseArgs } from "node:util";
import { STREAMS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { freePort, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { startBalancer } from "../balancer.js";
import { checkInvariants, drained } from "../checks.js";
import { type SentRequest, startLoad } from "../load.js";
import {
  type ComposeProject,
  compose,
  containerOf,
  containers,
  healthcheckPasses,
  kill,
  logsOf,
  removeNetworks,
  restart,
  stopGracefully,
} from "./podman.js";
import { EXPECTED_ENDS, placeAndFollow, prometheusScrapesAll, tracesSpanServices } from "./probes.js";

const { values } = parseArgs({
  options: {
    project: { type: "string", default: "shop-containers" },
    "skip-cluster": { type: "boolean", default: false },
  },
});

const SERVICES = ["orders", "inventory", "payments"] as const;
const CONTRACT_PORTS = { orders: 3000, inventory: 3001, payments: 3002 } as const;
/** As stop_grace_period in docker-compose.yml. */
const GRACE_SECONDS = 20;
const STAND_INS = "deploy/podman/compose.stand-ins.yml";

let failed = false;
/** Runs one check and prints its line; a check's detail is what it returns when that is a string. */
async function step<T>(
  name: string,
  work: () => Promise<T>,
  describe: (result: T) => string = (r) => (typeof r === "string" ? r : ""),
): Promise<T> {
  const started = performance.now();
  try {
    const result = await work();
    const detail = describe(result);
    console.log(`ok    ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ""}`);
    return result;
  } catch (err) {
    failed = true;
    console.log(`FAIL  ${name} (${((performance.now() - started) / 1000).toFixed(1)} s): ${(err as Error).message}`);
    throw err;
  }
}

interface Ports {
  env: Record<string, string>;
  url: (name: "orders" | "inventory" | "payments" | "prometheus" | "spans") => string;
  nats: string[];
}

/** Free host ports for everything compose publishes (4222 and 3000-3002 may be taken here). */
async function choosePorts(cluster: boolean): Promise<Ports> {
  const names = ["NATS_PORT", "NATS_MONITOR_PORT", "ORDERS_PORT", "INVENTORY_PORT", "PAYMENTS_PORT", "PROMETHEUS_PORT", "GRAFANA_PORT"];
  names.push("JAEGER_UI_PORT", "OTLP_HTTP_PORT", ...(cluster ? ["NATS_2_PORT", "NATS_3_PORT"] : []));
  const env: Record<string, string> = {};
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    env[name] = String(port);
  }
  const at = (key: string) => `http://127.0.0.1:${env[key]}`;
  const urls = {
    orders: at("ORDERS_PORT"),
    inventory: at("INVENTORY_PORT"),
    payments: at("PAYMENTS_PORT"),
    prometheus: at("PROMETHEUS_PORT"),
  };
  return {
    env,
    url: (name) => (name === "spans" ? `${at("JAEGER_UI_PORT")}/api/spans` : urls[name]),
    nats: ["NATS_PORT", "NATS_2_PORT", "NATS_3_PORT"].filter((k) => env[k]).map((k) => `nats://127.0.0.1:${env[k]}`),
  };
}

async function up(project: ComposeProject, ports: Ports, extra: readonly string[]): Promise<void> {
  // Grafana is left out: its image cannot exist here, and its provisioning is checked by the tests.
  await compose(project, ["up", "-d", "nats", ...extra, "jaeger", "prometheus", ...SERVICES]);
  await waitFor(
    async () => {
      const ready = await Promise.all(
        SERVICES.map((s) =>
          fetch(`${ports.url(s)}/readyz`).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      return ready.every(Boolean);
    },
    { what: "orders, inventory and payments /readyz through the published ports", timeoutMs: 180_000, intervalMs: 1_000 },
  );
}

/** Every compose healthcheck of the given services passes (podman-compose once broke ours: see docker-compose.yml). */
async function healthchecksPass(project: ComposeProject, services: readonly string[]): Promise<string> {
  const names = await Promise.all(services.map((s) => containerOf(project, s)));
  await waitFor(async () => (await Promise.all(names.map(healthcheckPasses))).every(Boolean), {
    what: `healthchecks of ${services.join(", ")}`,
    timeoutMs: 60_000,
    intervalMs: 1_000,
  });
  return services.join(", ");
}

/** Load through the published orders port while `fault` runs; then every accepted order must end and every guarantee hold. */
async function underLoad(ports: Ports, bus: Bus, sent: SentRequest[], fault: () => Promise<string>): Promise<string> {
  const balancer = startBalancer({ backends: () => [ports.url("orders")] });
  const load = startLoad({
    orders: balancer,
    ratePerSecond: 20,
    retryShare: 0.1,
    hotSku: "LIMITED-PRINT",
    hotShare: 0.1,
    declineShare: 0.05,
  });
  let what: string;
  try {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    what = await fault();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await load.stop();
  } finally {
    await balancer.stop();
  }
  sent.push(...load.sent);
  await waitFor(() => drained(bus, sent), {
    what: "every accepted order ended and every consumer acked",
    timeoutMs: 240_000,
    intervalMs: 1_000,
  });
  // Reads may time out while a cluster elects new leaders: read again rather than fail the check.
  const { tally, violations, details } = await waitFor(() => checkInvariants(bus, sent, { dlqMustBeEmpty: true }), {
    what: "the guarantees' checks to read the stored orders, charges and stock",
    timeoutMs: 60_000,
    intervalMs: 2_000,
  });
  const broken = Object.entries(violations).filter(([, n]) => n > 0);
  if (broken.length > 0) throw new Error(`${broken.map(([k, n]) => `${k}=${n}`).join(" ")}: ${details.join("; ")}`);
  return `${what}; ${tally.sent} sent, ${tally.accepted} accepted, ${tally.confirmed}/${tally.rejected}/${tally.cancelled} confirmed/rejected/cancelled, zero violations`;
}

/** Stops the services as `down` does, but with compose's grace period (podman-compose's own default is 1 s). */
async function gracefulStop(project: ComposeProject): Promise<string> {
  const stops = await Promise.all(
    SERVICES.map(async (s) => ({ s, ...(await stopGracefully(await containerOf(project, s), GRACE_SECONDS)) })),
  );
  const bad = stops.filter((r) => r.exitCode !== 0 || r.ms >= GRACE_SECONDS * 1000);
  if (bad.length > 0) throw new Error(bad.map((r) => `${r.s} exit ${r.exitCode} after ${Math.round(r.ms)} ms`).join(", "));
  return stops.map((r) => `${r.s} exit 0 in ${(r.ms / 1000).toFixed(1)} s`).join(", ");
}

/** Brings the stack up, runs `work`, and takes it down (volumes too) whatever happened, with the services' logs on failure. */
async function withStack(
  project: ComposeProject,
  ports: Ports,
  upStep: () => Promise<void>,
  work: (bus: Bus) => Promise<void>,
): Promise<void> {
  try {
    await upStep();
    const bus = await Bus.connect({ url: ports.nats.join(","), name: "compose-check", logger: pino({ level: "silent" }) });
    try {
      await work(bus);
    } finally {
      await bus.close();
    }
  } catch (err) {
    for (const c of await containers(project).catch(() => [])) {
      if (SERVICES.includes(c.service as (typeof SERVICES)[number])) console.log(`--- ${c.name} (last lines)\n${await logsOf(c.name)}`);
    }
    throw err;
  } finally {
    await compose(project, ["down", "-v", "-t", String(GRACE_SECONDS)])
      .then(() => removeNetworks(project))
      .catch((err: Error) => console.log(`down failed: ${err.message}`));
  }
}

async function singleNode(): Promise<void> {
  const ports = await choosePorts(false);
  const project: ComposeProject = { name: values.project, files: ["docker-compose.yml", STAND_INS], env: ports.env };
  const upStep = async () => {
    await step(
      "compose up (single NATS), services ready",
      () => up(project, ports, []),
      () => `orders on ${ports.url("orders")}`,
    );
  };
  await withStack(project, ports, upStep, async (bus) => {
    await step("compose healthchecks pass (run on demand: podman has no systemd timers here)", () =>
      healthchecksPass(project, ["nats", ...SERVICES]),
    );
    const sent: SentRequest[] = [];
    const ends = await step(
      "orders end CONFIRMED, REJECTED and CANCELLED",
      async () => {
        const results = await Promise.all(EXPECTED_ENDS.map((e) => placeAndFollow(ports.url("orders"), e.customerId, e.items)));
        sent.push(...results.map((r) => r.request));
        const wrong = results.filter((r, i) => r.status !== EXPECTED_ENDS[i]?.status);
        if (wrong.length > 0) throw new Error(wrong.map((r) => `order for ${r.request.customerId} ended ${r.status}`).join(", "));
        return results;
      },
      (results) => results.map((r) => `${r.request.orderId?.slice(0, 8)} ${r.status}`).join(", "),
    );
    const targets = SERVICES.map((s) => `${s}:${CONTRACT_PORTS[s]}`);
    await step(
      "Prometheus (container) scrapes the three services by compose name",
      () => prometheusScrapesAll(ports.url("prometheus"), targets),
      (up) => up.join(", "),
    );
    await step(
      "one trace per order across the three services (OTLP stand-in)",
      () =>
        tracesSpanServices(
          ports.url("spans"),
          ends.map((r) => r.request.orderId as string),
        ),
      (lines) => lines.join("; "),
    );
    const nats = await containerOf(project, "nats");
    await step("NATS container restarted under load (volume kept): no accepted order lost", () =>
      underLoad(ports, bus, sent, async () => {
        await restart(nats, GRACE_SECONDS);
        return `restarted ${nats}`;
      }),
    );
    await step(`services stopped with SIGTERM as down does (grace ${GRACE_SECONDS} s)`, () => gracefulStop(project));
  });
}

async function cluster(): Promise<void> {
  const ports = await choosePorts(true);
  const project: ComposeProject = {
    name: `${values.project}-cluster`,
    files: ["docker-compose.yml", "docker-compose.cluster.yml", STAND_INS],
    env: ports.env,
  };
  const upStep = async () => {
    await step("compose up (3-node NATS cluster, R3 streams), services ready", () => up(project, ports, ["nats-2", "nats-3"]));
  };
  await withStack(project, ports, upStep, async (bus) => {
    await step("compose healthchecks pass on the three NATS nodes", () => healthchecksPass(project, ["nats", "nats-2", "nats-3"]));
    await step("NATS stream leader container killed under load: every accepted order ends", () =>
      underLoad(ports, bus, [], async () => {
        const info = await bus.jsm.streams.info(STREAMS.orders.name);
        const leader = info.cluster?.leader;
        const service = leader === "nats-1" ? "nats" : leader;
        if (!service) throw new Error(`stream ${STREAMS.orders.name} reports no leader`);
        const container = await containerOf(project, service);
        await kill(container);
        return `killed ${container} (leader of ${STREAMS.orders.name})`;
      }),
    );
  });
}

try {
  await singleNode();
  if (!values["skip-cluster"]) await cluster();
} catch (err) {
  // A failed step has printed its line already; anything else (a container not found) has not.
  if (!failed) console.log(`FAIL  ${(err as Error).message}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
