import { setTimeout as sleep } from "node:timers/promises";
import { BUCKETS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";
import { waitFor } from "@shop/testkit";
import type { LoadOptions } from "./load.js";
import { admin, type ChaosStack, NO_FAULTS, type Replica, type ReplicaCounts, SERVICE_NAMES } from "./stack.js";

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
  /** Processes per service (one each unless set). */
  replicas?: ReplicaCounts;
  /** Changes to the default load (25 orders/s, 20% on the hot SKU, 5% declines). */
  load?: Partial<Omit<LoadOptions, "orders">>;
  /** Units of the hot SKU at the start (25 unless set). */
  hotStock?: number;
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
      await stack.setProviderFaults(set);
      await pause(phase);
      await stack.setProviderFaults(NO_FAULTS);
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

// Replica scenarios: three orders replicas (the production overlay's count, and enough for the
// balancer to spread over more than a pair), two of inventory and payments (the Kubernetes base),
// three of inventory where the point is contention on one SKU. More would only add processes
// to two shared cores without another kind of race.
const REPLICAS: ReplicaCounts = { orders: 3, inventory: 2, payments: 2 };

const replicaKills: Scenario = {
  id: "e",
  title: "3/2/2 replicas: SIGKILL of random replicas of any service under load, each restarted after a moment",
  replicas: REPLICAS,
  infrastructureOnly: true,
  inject: async ({ stack, short, log }) => {
    const kills = short ? 8 : 24;
    const cycling = new Set<string>();
    const restarts: Promise<void>[] = [];
    for (let k = 1; k <= kills; k++) {
      await pause(700 + Math.random() * 1_300);
      // Kills overlap (several replicas, even all of a service, may be down at once); a replica is
      // not killed again while it is still coming back.
      const candidates = stack.all().filter((r) => !cycling.has(r.id));
      const victim = candidates[Math.floor(Math.random() * candidates.length)] as Replica;
      const downMs = Math.round(500 + Math.random() * 2_000);
      log(`kill ${k}/${kills}: SIGKILL ${victim.id}, restart in ${downMs} ms`);
      cycling.add(victim.id);
      await stack.kill(victim, "SIGKILL");
      const restart = pause(downMs)
        .then(() => stack.restart(victim))
        .finally(() => cycling.delete(victim.id));
      // Awaited below; a restart that fails meanwhile fails this scenario there, not the whole run now.
      restart.catch(() => undefined);
      restarts.push(restart);
    }
    await Promise.all(restarts);
    await pause(1_500);
  },
};

const rollingRestart: Scenario = {
  id: "f",
  title: "3/2/2 replicas: rolling restart under load, every replica of every service replaced one at a time (SIGTERM, graceful drain)",
  replicas: REPLICAS,
  infrastructureOnly: true,
  inject: async ({ stack, short, log }) => {
    // Each charge takes 300 ms at the provider (well within its 1 s timeout), so a payments replica
    // always has charges in flight when it gets SIGTERM: its drain has to finish and ack them.
    await stack.setProviderFaults({ latencyMs: 300 });
    for (let pass = 1; pass <= (short ? 1 : 2); pass++) {
      for (const service of SERVICE_NAMES) {
        for (const replica of stack.replicas[service]) {
          await pause(500);
          const stop = await stack.replace(replica);
          log(`pass ${pass}: ${replica.id} replaced; the old process exited ${stop.exitCode} after ${stop.ms} ms of drain`);
        }
      }
    }
    await pause(1_500);
  },
};

/** The SKU every scenario's load prefers, with less stock than the load asks for. */
export const HOT_SKU = "LIMITED-PRINT";
const HOT_STOCK = 20;

const hotSkuContention: Scenario = {
  id: "g",
  title: "3/3/2 replicas: hot SKU with little stock at 60 orders/s from every replica, declines releasing it, restocks racing",
  replicas: { orders: 3, inventory: 3, payments: 2 },
  infrastructureOnly: true,
  hotStock: HOT_STOCK,
  // Most orders want the hot SKU, half of them with a second line (all-or-none releases that one
  // when the hot one is short); 30% of the hot orders are declined, so their hold is released.
  load: { ratePerSecond: 60, hotShare: 0.6, hotDeclineShare: 0.3, hotCompanion: "MUG-RED" },
  inject: async ({ stack, short, log }) => {
    const until = Date.now() + (short ? 15_000 : 45_000);
    // An operator's stock count now and then, through a different inventory replica each time: a
    // third kind of write on the same key, racing the holds and releases.
    for (let n = 0; Date.now() < until; n++) {
      await pause(2_000);
      const replica = stack.replicas.inventory[n % stack.replicas.inventory.length] as Replica;
      log(`restock ${HOT_SKU} to ${HOT_STOCK} through ${replica.id}`);
      await admin(replica.url, `/admin/stock/${HOT_SKU}`, { available: HOT_STOCK });
    }
    await pause(1_500);
  },
};

export const SCENARIOS: readonly Scenario[] = [
  serviceKills,
  brokerKills,
  clusterNodeKills,
  providerFaults,
  replicaKills,
  rollingRestart,
  hotSkuContention,
];

/** Brings everything back: every replica running and ready, broker up, every provider healthy. */
export async function heal(stack: ChaosStack): Promise<void> {
  await Promise.all(stack.all().map((replica) => (replica.process.running ? undefined : stack.restart(replica))));
  for (const replica of stack.all()) {
    await waitFor(async () => (await fetch(`${replica.url}/readyz`).catch(() => undefined))?.ok ?? false, {
      what: `${replica.id} ready`,
      timeoutMs: 60_000,
    });
  }
  await stack.setProviderFaults(NO_FAULTS);
}
