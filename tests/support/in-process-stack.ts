import type { AddressInfo } from "node:net";
import { Bus, type DeadLetterEntry } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer, waitFor } from "@shop/testkit";
import { pino } from "pino";
import type { CatalogEntry } from "../../services/inventory/src/adapters/demo-catalog.js";
import { buildApp as buildInventory, type InventoryApp } from "../../services/inventory/src/app.js";
import { loadInventoryConfig } from "../../services/inventory/src/config.js";
import type { StockItem } from "../../services/inventory/src/domain/stock.js";
import { buildApp as buildOrders, type OrdersApp } from "../../services/orders/src/app.js";
import { loadOrdersConfig } from "../../services/orders/src/config.js";
import type { Order, OrderStatus } from "../../services/orders/src/domain/order.js";
import type { LedgerEntry } from "../../services/payments/src/adapters/fake-provider.js";
import { buildApp as buildPayments, type PaymentsApp } from "../../services/payments/src/app.js";
import { loadPaymentsConfig } from "../../services/payments/src/config.js";

export interface InProcessStack {
  nats: NatsServerHandle;
  orders: OrdersApp;
  inventory: InventoryApp;
  payments: PaymentsApp;
  /** A bus of the test's own, for inspecting streams and publishing crafted events. */
  probe: Bus;
  postOrder(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>;
  getOrder(orderId: string): Promise<Order | undefined>;
  waitForOrder(orderId: string, statuses?: OrderStatus[]): Promise<Order>;
  stock(sku: string): Promise<StockItem>;
  /** Provider ledger entries (charges and declines) of one order. */
  charges(orderId: string): Promise<LedgerEntry[]>;
  streamMessages(stream: string): Promise<number>;
  deadLetters(durable?: string): Promise<DeadLetterEntry[]>;
  /** Starts inventory's HTTP listener on a free loopback port (once) and returns its URL. */
  inventoryUrl(): Promise<string>;
  /** Starts orders' HTTP listener on a free loopback port (once) and returns its URL. */
  ordersUrl(): Promise<string>;
  /** Waits until every durable has nothing pending and nothing unacked. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  catalog?: readonly CatalogEntry[];
  paymentsEnv?: Record<string, string>;
  inventoryEnv?: Record<string, string>;
  ordersEnv?: Record<string, string>;
  /** Serve nats-server's HTTP monitoring (connz, varz) too. */
  monitoring?: boolean;
}

const TERMINAL: OrderStatus[] = ["CONFIRMED", "REJECTED", "CANCELLED"];

/** The three services built with buildApp in this process, against a fresh nats-server. */
export async function startInProcessStack({
  catalog,
  paymentsEnv = {},
  inventoryEnv = {},
  ordersEnv = {},
  monitoring = false,
}: StackOptions = {}): Promise<InProcessStack> {
  const nats = await startNatsServer({ monitoring });
  // A short ack wait: messages left unacked by a broker restart come back within the test.
  const env = { NATS_URL: nats.url, LOG_LEVEL: "silent", PORT: "0", CONSUMER_ACK_WAIT_MS: "2000" };
  const logger = pino({ level: "silent" });
  const orders = await buildOrders({ config: loadOrdersConfig({ ...env, ...ordersEnv }), logger });
  const inventory = await buildInventory({
    config: loadInventoryConfig({ ...env, ...inventoryEnv }),
    logger,
    ...(catalog ? { catalog } : {}),
  });
  const payments = await buildPayments({ config: loadPaymentsConfig({ ...env, ...paymentsEnv }), logger });
  await Promise.all([orders.start({ listen: false }), inventory.start({ listen: false }), payments.start({ listen: false })]);
  const probe = await Bus.connect({ url: nats.url, name: "test-probe", logger });

  const getOrder = async (orderId: string) => {
    const res = await orders.http.inject({ method: "GET", url: `/orders/${orderId}` });
    return res.statusCode === 200 ? (res.json() as Order) : undefined;
  };

  return {
    nats,
    orders,
    inventory,
    payments,
    probe,
    postOrder: async (body, headers = {}) => {
      const res = await orders.http.inject({
        method: "POST",
        url: "/orders",
        payload: body as object,
        headers: { "content-type": "application/json", ...headers },
      });
      return { status: res.statusCode, body: res.body ? res.json() : {}, headers: res.headers };
    },
    getOrder,
    waitForOrder: (orderId, statuses = TERMINAL) =>
      waitFor(
        async () => {
          const order = await getOrder(orderId);
          return order && statuses.includes(order.status) ? order : undefined;
        },
        { what: `order ${orderId} to reach ${statuses.join("/")}`, timeoutMs: 20_000 },
      ),
    stock: async (sku) => {
      const found = await inventory.store.stock.get(sku);
      if (!found) throw new Error(`no stock item ${sku}`);
      return found.value;
    },
    charges: async (orderId) => {
      const entries: LedgerEntry[] = [];
      for (const key of await payments.store.ledger.keys()) {
        const entry = await payments.store.ledger.get(key);
        if (entry?.value.request.orderId === orderId) entries.push(entry.value);
      }
      return entries;
    },
    inventoryUrl: () => listening(inventory.http),
    ordersUrl: () => listening(orders.http),
    streamMessages: async (stream) => (await probe.jsm.streams.info(stream)).state.messages,
    deadLetters: (durable) => probe.deadLetters(durable),
    settled: async () => {
      await waitFor(async () => (await probe.durableBacklogs()).every((d) => d.pending === 0 && d.ackPending === 0), {
        what: "every consumer to be fully acked",
        timeoutMs: 20_000,
      });
    },
    close: async () => {
      await probe.close();
      await Promise.all([orders.close(), inventory.close(), payments.close()]);
      await nats.stop();
    },
  };
}

async function listening(http: OrdersApp["http"]): Promise<string> {
  if (!http.server.listening) await http.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
}
