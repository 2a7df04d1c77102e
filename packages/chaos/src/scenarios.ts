import { setTimeout as sleep } from "node:timers/promises";
import { BUCKETS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";
import { waitFor } from "@shop/testkit";
import { admin, type ChaosStack, SERVICE_NAMES } from "./stack.js";

export interface FaultContext {
  stack: ChaosStack;
  /** The suite's own connection, for asking the cluster who leads what. */
  bus: Bus;
  short: boolean;
  log(message: string): void;
  /** POST /orders sent while the broker was down (any 202 there is a violation); they count as requested. */
  outageProbes: Array<{ customerId: string; status: number }>;
}

export interface Scenario {
  id: string;
  title: string;
  /** Runs on a 3-node cluster with R3 streams and KV instead of one server. */
  cluster?: boolean;
  /** Only infrastructure faults: then nothing may end in the DLQ. */
  infrastructureOnly: boolean;
  inject(ctx: FaultContext): Promise<void>;
}

// Fault schedules pace themselves with sleeps on purpose: faults land while load runs.
const pause = (ms: number) => sleep(ms);

const serviceKills: Scenario = {
  id: "a",
  title: "SIGKILL of each service, repeatedly, with restarts",
  infrastructureOnly: true,
  inject: async ({ stack, short, log }) => {
    for (let round = 1; round <= (short ? 1 : 3); round++) {
      for (const name of SERVICE_NAMES) {
        await pause(1_500);
        log(`round ${round}: SIGKILL ${name}`);
        await stack.services[name].kill("SIGKILL");
        await stack.services[name].restart();
      }
    }
    await pause(1_500);
  },
};

const brokerKills: Scenario = {
  id: "b",
  title: "nats-server SIGKILL and restart, then a 30 s outage",
  infrastructureOnly: true,
  inject: async ({ stack, short, log, outageProbes }) => {
    const nats = stack.nats;
    if (!nats) throw new Error("scenario b needs a single server");
    for (let blip = 1; blip <= (short ? 1 : 3); blip++) {
      await pause(2_000);
      log(`SIGKILL nats-server, restart at once (${blip})`);
      await nats.kill("SIGKILL");
      await nats.restart();
    }
    await pause(3_000);
    log("SIGKILL nats-server for 30 s");
    await nats.kill("SIGKILL");
    const until = Date.now() + 30_000;
    // Longer than the client's default reconnect window: every POST must be refused, none accepted.
    while (Date.now() < until) {
      const customerId = `outage-probe-${outageProbes.length}`;
      const res = await fetch(`${stack.services.orders.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customerId, items: [{ sku: "MUG-RED", quantity: 1 }] }),
      }).catch(() => undefined);
      outageProbes.push({ customerId, status: res?.status ?? 0 });
      await pause(1_000);
    }
    log("nats-server back");
    await nats.restart();
    await pause(3_000);
  },
};

const providerFaults: Scenario = {
  id: "d",
  title: "payment provider outage, slowness and lost responses",
  infrastructureOnly: false,
  inject: async ({ stack, short, log }) => {
    const url = stack.services.payments.url;
    const phase = short ? 6_000 : 15_000;
    const faults = [
      { name: "outage", faults: { outage: true } },
      { name: "slowness (1.5 s, above the 1 s timeout)", faults: { latencyMs: 1_500 } },
      { name: "30% lost responses", faults: { lostResponseRate: 0.3 } },
      { name: "40% errors", faults: { failureRate: 0.4 } },
    ];
    for (const { name, faults: set } of faults) {
      await pause(1_500);
      log(`provider: ${name}`);
      await admin(url, "/admin/provider/faults", set);
      await pause(phase);
      await admin(url, "/admin/provider/faults", { outage: false, latencyMs: 0, lostResponseRate: 0, failureRate: 0 });
    }
    await pause(1_500);
  },
};

const clusterNodeKills: Scenario = {
  id: "c",
  title: "3-node cluster, R3 streams and KV: SIGKILL one node at a time, leaders included",
  cluster: true,
  infrastructureOnly: true,
  inject: async ({ stack, bus, short, log }) => {
    const cluster = stack.cluster;
    if (!cluster) throw new Error("scenario c needs a cluster");
    const leaderOf = async (stream: string) => (await bus.jsm.streams.info(stream)).cluster?.leader;
    const targets: Array<[string, () => Promise<string | undefined>]> = [
      ["ORDERS stream leader", () => leaderOf("ORDERS")],
      ["stock bucket leader", () => leaderOf(`KV_${BUCKETS.stock}`)],
      ["JetStream meta leader", () => cluster.metaLeader()],
    ];
    for (let round = 1; round <= (short ? 1 : 2); round++) {
      for (const [what, find] of targets) {
        await pause(2_000);
        // Right after a restart the cluster may still be electing: ask until it answers.
        const name = await waitFor(find, { what: `the ${what}`, timeoutMs: 30_000, intervalMs: 250 });
        log(`round ${round}: SIGKILL ${name} (${what})`);
        await cluster.node(name).kill("SIGKILL");
        await pause(4_000);
        await cluster.node(name).restart();
      }
    }
    await pause(3_000);
  },
};

export const SCENARIOS: readonly Scenario[] = [serviceKills, brokerKills, clusterNodeKills, providerFaults];

/** Brings everything back: services running, broker up, provider healthy. */
export async function heal(stack: ChaosStack): Promise<void> {
  await waitFor(async () => (await fetch(`${stack.services.orders.url}/readyz`).catch(() => undefined))?.ok ?? false, {
    what: "orders ready",
    timeoutMs: 60_000,
  });
  await admin(stack.services.payments.url, "/admin/provider/faults", { outage: false, latencyMs: 0, lostResponseRate: 0, failureRate: 0 });
}
