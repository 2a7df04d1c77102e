import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "@shop/testkit";
import { admin, type ChaosStack, SERVICE_NAMES } from "./stack.js";

export interface FaultContext {
  stack: ChaosStack;
  short: boolean;
  log(message: string): void;
  /** POST /orders sent while the broker was down (any 202 there is a violation); they count as requested. */
  outageProbes: Array<{ customerId: string; status: number }>;
}

export interface Scenario {
  id: string;
  title: string;
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
    for (let blip = 1; blip <= (short ? 1 : 3); blip++) {
      await pause(2_000);
      log(`SIGKILL nats-server, restart at once (${blip})`);
      await stack.nats.kill("SIGKILL");
      await stack.nats.restart();
    }
    await pause(3_000);
    log("SIGKILL nats-server for 30 s");
    await stack.nats.kill("SIGKILL");
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
    await stack.nats.restart();
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

export const SCENARIOS: readonly Scenario[] = [serviceKills, brokerKills, providerFaults];

/** Brings everything back: services running, broker up, provider healthy. */
export async function heal(stack: ChaosStack): Promise<void> {
  await waitFor(async () => (await fetch(`${stack.services.orders.url}/readyz`).catch(() => undefined))?.ok ?? false, {
    what: "orders ready",
    timeoutMs: 60_000,
  });
  await admin(stack.services.payments.url, "/admin/provider/faults", { outage: false, latencyMs: 0, lostResponseRate: 0, failureRate: 0 });
}
