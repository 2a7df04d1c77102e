import { BUCKETS, CONSUMERS, retiredDurablesOf } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import {
  adminSecuritySchemes,
  createHttpServer,
  createLogger,
  createRegistry,
  createSagaMetrics,
  createSystemRegistry,
  type Logger,
  type ServiceApp,
  serviceVersion,
} from "@shop/telemetry";
import type { Registry } from "prom-client";
import { type CatalogEntry, DEMO_CATALOG, seedCatalog } from "./adapters/demo-catalog.js";
import { createInventoryStore, type InventoryStore } from "./adapters/inventory-store.js";
import type { InventoryConfig } from "./config.js";
import { onOrderCreated } from "./handlers/on-order-created.js";
import { onPaymentSettled } from "./handlers/on-payment-settled.js";
import { INVENTORY_API } from "./http/api-info.js";
import { registerInventoryRoutes } from "./http/routes.js";
import { createStaleHoldCounter, registerStockGauges } from "./metrics.js";
import { createHoldSweeper, type HoldSweeper } from "./use-cases/release-stale-holds.js";

export const SERVICE = "inventory";

export interface InventoryDeps {
  config: InventoryConfig;
  logger?: Logger;
  /** Per-replica metrics (/metrics). */
  registry?: Registry;
  /** System-wide gauges read from NATS (/metrics/system). */
  systemRegistry?: Registry;
  /** Catalog seeded on first start when SEED_CATALOG is on; the demo catalog by default. */
  catalog?: readonly CatalogEntry[];
}

export interface InventoryApp extends ServiceApp {
  bus: Bus;
  store: InventoryStore;
  /** Releases holds of rejected orders left by a replica that died mid-decision; `sweepOnce()` for tests. */
  holdSweeper: HoldSweeper;
}

export async function buildApp({
  config,
  logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
  registry = createRegistry(SERVICE),
  systemRegistry = createSystemRegistry(SERVICE),
  catalog = DEMO_CATALOG,
}: InventoryDeps): Promise<InventoryApp> {
  const bus = await Bus.connect({
    url: config.NATS_URL,
    name: SERVICE,
    logger,
    registry,
    systemRegistry,
    writeLingerMs: config.NATS_WRITE_LINGER_MS,
  });
  await bus.provision({
    replicas: config.NATS_REPLICAS,
    consumerSettings: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS, maxDeliver: config.CONSUMER_MAX_DELIVER },
    consumers: [CONSUMERS.inventoryOnOrderCreated, CONSUMERS.inventoryOnPaymentSettled],
    retired: retiredDurablesOf(SERVICE),
    buckets: [BUCKETS.stock],
  });
  const store = await createInventoryStore(bus, { stockLingerMs: config.STOCK_WRITE_LINGER_MS });
  if (config.SEED_CATALOG) {
    const seeded = await seedCatalog(store, catalog);
    if (seeded.length > 0) logger.info({ skus: seeded }, "seeded catalog");
  }
  const http = await createHttpServer({
    logger,
    registry,
    systemRegistry,
    isReady: () => bus.isReady(),
    maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    openapi: { ...INVENTORY_API, version: serviceVersion(import.meta.url), securitySchemes: adminSecuritySchemes },
  });
  registerInventoryRoutes(http, store, config.ADMIN_TOKEN);
  registerStockGauges(systemRegistry, store);
  const staleHolds = createStaleHoldCounter(registry);
  const saga = createSagaMetrics(registry, ["rejected"]);
  const holdSweeper = createHoldSweeper({ store, logger, onReleased: () => staleHolds.inc() });

  return {
    http,
    bus,
    store,
    holdSweeper,
    start: async ({ listen = true } = {}) => {
      const n = config.CONSUMER_CONCURRENCY;
      await bus.consume(CONSUMERS.inventoryOnOrderCreated, onOrderCreated({ store, publish: bus.publish, saga }), n);
      // Settlements linger longer to share writes, so more of them are in flight at once.
      const settle = { lingerMs: config.SETTLE_WRITE_LINGER_MS };
      await bus.consume(CONSUMERS.inventoryOnPaymentSettled, onPaymentSettled(store, settle), config.SETTLE_CONCURRENCY);
      if (config.HOLD_SWEEP_INTERVAL_MS > 0) holdSweeper.start(config.HOLD_SWEEP_INTERVAL_MS);
      if (listen) await http.listen({ port: config.PORT, host: config.HOST });
    },
    close: async () => {
      // First, so no sweep meets a closed connection; a sweep in progress stops at its next step.
      await holdSweeper.stop();
      await http.close();
      await bus.close();
    },
  };
}
