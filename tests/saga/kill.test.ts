import { BUCKETS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, type ServiceProcess, startNatsServer, startServiceProcess, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../services/payments/src/adapters/fake-provider.js";

let nats: NatsServerHandle;
let probe: Bus;
const services: Record<string, ServiceProcess> = {};

beforeAll(async () => {
  nats = await startNatsServer();
  // Short ack wait so a killed consumer's messages come back within the test; slow provider so a kill lands mid-charge.
  const env = { NATS_URL: nats.url, CONSUMER_ACK_WAIT_MS: "2000", LOG_LEVEL: "warn" };
  services.orders = await startServiceProcess("orders", { env });
  services.inventory = await startServiceProcess("inventory", { env });
  services.payments = await startServiceProcess("payments", { env: { ...env, PAYMENT_LATENCY_MS: "800" } });
  probe = await Bus.connect({ url: nats.url, name: "kill-test-probe", logger: pino({ level: "silent" }) });
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await Promise.all(Object.values(services).map((s) => s.kill("SIGTERM")));
  await nats?.stop();
});

async function placeOrder(customerId: string): Promise<string> {
  const res = await fetch(`${services.orders?.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ customerId, items: [{ sku: "MUG-RED", quantity: 1 }] }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function status(service: ServiceProcess, path: string): Promise<string | undefined> {
  const res = await fetch(`${service.url}${path}`).catch(() => undefined);
  return res?.ok ? ((await res.json()) as { status: string }).status : undefined;
}

async function chargesOf(orderId: string): Promise<number> {
  const ledger = await probe.kv<LedgerEntry>(BUCKETS.providerLedger);
  let count = 0;
  for (const key of await ledger.keys()) if ((await ledger.get(key))?.value.request.orderId === orderId) count++;
  return count;
}

async function expectConfirmedOnce(orderId: string): Promise<void> {
  const orders = services.orders as ServiceProcess;
  await waitFor(async () => (await status(orders, `/orders/${orderId}`)) === "CONFIRMED", {
    timeoutMs: 30_000,
    what: `${orderId} CONFIRMED`,
  });
  expect(await chargesOf(orderId)).toBe(1);
}

describe("a service killed with SIGKILL mid-saga and restarted", () => {
  it("payments killed during the provider call: the order still completes, charged once", async () => {
    const payments = services.payments as ServiceProcess;
    const orderId = await placeOrder("c-kill-payments");
    // PENDING: stock is reserved and payments is in its slow provider call (the key derives from the order).
    await waitFor(async () => (await status(payments, `/payments/${orderId}`)) === "PENDING", { what: "payment in flight" });
    await payments.kill("SIGKILL");
    await payments.restart();
    await expectConfirmedOnce(orderId);
  });

  it("orders killed right after answering 202: the accepted order still completes", async () => {
    const orders = services.orders as ServiceProcess;
    const orderId = await placeOrder("c-kill-orders");
    await orders.kill("SIGKILL");
    await orders.restart();
    await expectConfirmedOnce(orderId);
  });

  it("inventory killed while orders are in flight: every order completes, each charged once", async () => {
    const inventory = services.inventory as ServiceProcess;
    const orderIds = await Promise.all(Array.from({ length: 10 }, (_, i) => placeOrder(`c-kill-inventory-${i}`)));
    await inventory.kill("SIGKILL");
    await inventory.restart();
    for (const orderId of orderIds) await expectConfirmedOnce(orderId);
  });
});
