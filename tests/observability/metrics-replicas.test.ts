import { CONSUMERS, STREAMS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp as buildInventory, type InventoryApp } from "../../services/inventory/src/app.js";
import { loadInventoryConfig } from "../../services/inventory/src/config.js";
import { buildApp as buildOrders, type OrdersApp } from "../../services/orders/src/app.js";
import { loadOrdersConfig } from "../../services/orders/src/config.js";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";
import { SYSTEM_GAUGES } from "../support/system-gauges.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an OpenMetrics text (exemplars and timestamps ignored). */
function samples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [, name = "", labels = "", value = ""] = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line) ?? [];
      return {
        name,
        labels: Object.fromEntries([...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]])),
        value: Number(value),
      };
    });
}

/** Metric family names declared in an OpenMetrics text (`# TYPE <name> <type>`). */
function families(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string);
}

const sum = (found: Sample[], name: string, labels: Record<string, string> = {}) =>
  found
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);

async function scrape(app: Pick<OrdersApp, "http">, url: "/metrics" | "/metrics/system"): Promise<string> {
  const res = await app.http.inject({ method: "GET", url });
  expect(res.statusCode, url).toBe(200);
  return res.body;
}

describe("two orders and two inventory replicas on one nats-server, scraped as Prometheus does", () => {
  const logger = pino({ level: "silent" });
  let nats: NatsServerHandle;
  let probe: Bus;
  const orders: OrdersApp[] = [];
  const inventory: InventoryApp[] = [];
  const step = CONSUMERS.inventoryOnOrderCreated;

  beforeAll(async () => {
    nats = await startNatsServer();
    const ordersConfig = loadOrdersConfig({ NATS_URL: nats.url, PORT: "0", LOG_LEVEL: "silent" });
    const inventoryConfig = loadInventoryConfig({ NATS_URL: nats.url, PORT: "0", LOG_LEVEL: "silent", HOLD_SWEEP_INTERVAL_MS: "0" });
    for (let i = 0; i < 2; i++) {
      orders.push(await buildOrders({ config: ordersConfig, logger }));
      inventory.push(await buildInventory({ config: inventoryConfig, logger }));
    }
    probe = await Bus.connect({ url: nats.url, name: "test-probe", logger });
    // Payments does not run: its durable exists and keeps every reserved order open.
    await probe.provision({ replicas: 1, consumers: [CONSUMERS.paymentsOnInventoryDecided], buckets: [] });
    // Both inventory replicas pull from the same durable before any order exists, so they share the work.
    await Promise.all([...orders, ...inventory].map((r) => r.start({ listen: false })));
  });
  afterAll(async () => {
    await probe?.close();
    await Promise.all([...orders, ...inventory].map((r) => r.close()));
    await nats?.stop();
  });

  it("summing /metrics over the replicas counts every accepted order and every processed message once; the system gauges are on /metrics/system only", async () => {
    const ORDERS = 60;
    for (let i = 0; i < ORDERS; i++) {
      const res = await (orders[i % 2] as OrdersApp).http.inject({
        method: "POST",
        url: "/orders",
        headers: { "content-type": "application/json" },
        payload: { customerId: `c-${i}`, items: [{ sku: "MUG-RED", quantity: 1 }] },
      });
      expect(res.statusCode).toBe(202);
    }
    expect((await probe.jsm.streams.info(STREAMS.orders.name)).state.messages).toBe(ORDERS);
    await waitFor(
      async () => {
        const info = await probe.jsm.consumers.info(step.stream, step.durable);
        return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq === ORDERS;
      },
      { what: "inventory to have acked every orders.created.v1", timeoutMs: 20_000 },
    );

    const ordersScrapes = await Promise.all(orders.map(async (r) => await scrape(r, "/metrics")));
    const inventoryScrapes = await Promise.all(inventory.map(async (r) => await scrape(r, "/metrics")));
    const acked = inventoryScrapes.map((text) =>
      sum(samples(text), "messaging_consumer_processed_total", { consumer: step.durable, outcome: "ack" }),
    );
    expect(
      acked.reduce((a, b) => a + b, 0),
      `acked per replica: ${acked}`,
    ).toBe(ORDERS);
    // Both replicas handled part of it: the sum, not either one, is the total.
    for (const count of acked) expect(count).toBeGreaterThan(0);
    const ordersSamples = ordersScrapes.flatMap(samples);
    expect(sum(ordersSamples, "orders_accepted_total")).toBe(ORDERS);
    expect(sum(ordersSamples, "http_server_requests_total", { route: "/orders", method: "POST", status_code: "202" })).toBe(ORDERS);
    for (const text of [...ordersScrapes, ...inventoryScrapes]) {
      for (const gauge of SYSTEM_GAUGES) expect(families(text), `${gauge} on /metrics`).not.toContain(gauge);
    }

    // Every replica reports the same system-wide values: summed over the two they would count 2x.
    const system = await Promise.all(orders.map(async (r) => samples(await scrape(r, "/metrics/system"))));
    for (const found of system) {
      // Reserved and waiting for payments, which does not run.
      expect(sum(found, "saga_open_orders")).toBe(ORDERS);
      expect(sum(found, "saga_oldest_open_order_age_seconds")).toBeGreaterThan(0);
      // Orders consumes nothing; nothing per replica on /metrics/system: no counters, no process or Node series.
      expect(new Set(found.map((s) => s.name))).toEqual(new Set(["saga_open_orders", "saga_oldest_open_order_age_seconds"]));
    }
    const inventorySystem = await Promise.all(inventory.map(async (r) => samples(await scrape(r, "/metrics/system"))));
    for (const found of inventorySystem) {
      expect(sum(found, "messaging_consumer_pending_messages", { consumer: step.durable })).toBe(0);
      const consumers = found.filter((s) => s.name === "messaging_consumer_ack_pending_messages").map((s) => s.labels.consumer);
      expect(consumers.sort()).toEqual(
        [CONSUMERS.inventoryOnOrderCreated, CONSUMERS.inventoryOnPaymentSettled].map((c) => c.durable).sort(),
      );
    }
    const comparable = (found: Sample[]) =>
      found.map((s) => [s.name, s.labels, s.name === "saga_oldest_open_order_age_seconds" ? 0 : s.value]);
    expect(comparable(system[0] ?? [])).toEqual(comparable(system[1] ?? []));
    expect(comparable(inventorySystem[0] ?? [])).toEqual(comparable(inventorySystem[1] ?? []));
  });
});

describe("the cost of a scrape, measured on the broker", () => {
  let stack: InProcessStack;
  /** JetStream API and KV requests seen on the broker, pull requests (consumers at rest) aside. */
  const requests: string[] = [];

  beforeAll(async () => {
    stack = await startInProcessStack();
    for (const customerId of ["c-1", "decline-1"]) {
      const { body } = await stack.postOrder({ customerId, items: [{ sku: "MUG-RED", quantity: 1 }] });
      await stack.waitForOrder(body.orderId as string);
    }
    await stack.settled();
    // A subscriber on the API subjects receives a copy of every request any connection sends.
    for (const subject of ["$JS.API.>", "$KV.>"]) {
      stack.probe.nc.subscribe(subject, {
        callback: (_err, msg) => {
          if (!msg.subject.startsWith("$JS.API.CONSUMER.MSG.NEXT.")) requests.push(msg.subject);
        },
      });
    }
    await stack.probe.nc.flush();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Requests the broker saw from `app` while `scrape` ran. */
  async function brokerRequestsDuring(app: InProcessStack["orders"], scrape: () => Promise<void>): Promise<string[]> {
    requests.length = 0;
    await scrape();
    // The service's PONG: the broker has routed everything it sent; the probe's: the probe has it.
    await app.bus.nc.flush();
    await stack.probe.nc.flush();
    return [...requests];
  }

  it.each(["orders", "inventory", "payments"] as const)(
    "%s: twenty /metrics scrapes send no request to the broker; one /metrics/system scrape does",
    async (service) => {
      const app = stack[service];
      const replica = await brokerRequestsDuring(app, async () => {
        for (let i = 0; i < 20; i++) await scrape(app, "/metrics");
      });
      expect(replica).toEqual([]);
      const system = await brokerRequestsDuring(app, async () => {
        await scrape(app, "/metrics/system");
      });
      // Consumer info for each durable (backlog) and the DLQ stream's subjects (depth), at least.
      expect(system.filter((s) => s.startsWith("$JS.API.CONSUMER.INFO.")).length).toBeGreaterThan(0);
      expect(system).toContain(`$JS.API.STREAM.INFO.${STREAMS.dlq.name}`);
    },
  );
});
