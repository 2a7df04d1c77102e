import { BUCKETS, EVENTS, eventSubject, STREAMS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, type ServiceProcess, startNatsServer, startServiceProcess, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../services/payments/src/adapters/fake-provider.js";

let nats: NatsServerHandle;
let probe: Bus;
const services = {} as Record<"orders" | "inventory" | "payments", ServiceProcess>;

beforeAll(async () => {
  nats = await startNatsServer();
  // Messages already pushed to a stopping consumer come back after ack_wait: keep it short here.
  const env = { NATS_URL: nats.url, LOG_LEVEL: "info", RATE_LIMIT_MAX: "100000", CONSUMER_ACK_WAIT_MS: "5000" };
  for (const name of ["orders", "inventory", "payments"] as const) services[name] = await startServiceProcess(name, { env });
  probe = await Bus.connect({ url: nats.url, name: "graceful-test", logger: pino({ level: "silent" }) });
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await Promise.all(Object.values(services).map((s) => s.kill("SIGTERM")));
  await nats?.stop();
});

/** Posts orders with `concurrency` in flight until stopped or `budget` requests are made; collects the ids answered 202. */
function load(concurrency: number, budget: number) {
  const accepted: string[] = [];
  const refused: number[] = [];
  let running = true;
  let sent = 0;
  const worker = async (w: number) => {
    for (let i = 0; running && sent < budget; i++) {
      sent++;
      try {
        const res = await fetch(`${services.orders.url}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ customerId: `c-${w}-${i}`, items: [{ sku: "MUG-RED", quantity: 1 }] }),
        });
        if (res.status === 202) accepted.push(((await res.json()) as { orderId: string }).orderId);
        else refused.push(res.status);
        await new Promise((resolve) => setTimeout(resolve, 40)); // pacing: about 25 orders/s per worker
      } catch {
        refused.push(0); // connection refused while the process is down
        await new Promise((resolve) => setTimeout(resolve, 20)); // pacing, not synchronisation
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  return {
    accepted,
    refused,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe("SIGTERM under load", () => {
  it("each service drains and exits 0 while orders keep coming, and every order answered 202 completes, charged once", async () => {
    const traffic = load(4, 10_000);
    for (const name of ["orders", "inventory", "payments"] as const) {
      const before = traffic.accepted.length;
      await waitFor(() => traffic.accepted.length >= before + 20, { what: `traffic before stopping ${name}`, timeoutMs: 20_000 });
      const signalled = Date.now();
      expect(await services[name].kill("SIGTERM")).toBe(0);
      expect(Date.now() - signalled, `${name} drain time`).toBeLessThan(15_000);
      expect(services[name].output()).toContain("shutdown complete");
      await services[name].restart();
    }
    const afterRestarts = traffic.accepted.length;
    await waitFor(() => traffic.accepted.length >= afterRestarts + 20, { what: "traffic after the restarts", timeoutMs: 20_000 });
    await traffic.stop();

    // The payment outcome is the order's terminal event (what GET /orders/:id reads).
    const events = probe.events();
    const statusOf = async (orderId: string) => {
      const outcome = await events.last(STREAMS.payments.name, eventSubject(EVENTS.paymentSucceeded, orderId));
      if (!outcome) return "NOT_SETTLED";
      return outcome.event === EVENTS.paymentSucceeded ? "CONFIRMED" : "CANCELLED";
    };
    const ledger = await probe.kv<LedgerEntry>(BUCKETS.providerLedger);
    let unfinished: Record<string, number> = {};
    await waitFor(
      async () => {
        unfinished = {};
        for (const orderId of traffic.accepted) {
          const status = await statusOf(orderId);
          if (status !== "CONFIRMED") unfinished[status] = (unfinished[status] ?? 0) + 1;
        }
        return Object.keys(unfinished).length === 0;
      },
      { what: `all ${traffic.accepted.length} accepted orders CONFIRMED`, timeoutMs: 60_000, intervalMs: 500 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; not confirmed: ${JSON.stringify(unfinished)}`);
    });
    for (const orderId of traffic.accepted) expect((await ledger.get(`order-${orderId}`))?.value.result?.outcome).toBe("succeeded");
    expect((await ledger.keys()).length).toBe(traffic.accepted.length);
    expect(traffic.refused.every((status) => status === 0 || status === 503)).toBe(true);
  }, 120_000);
});
