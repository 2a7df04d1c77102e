import { BUCKETS, retiredDurablesOf } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import {
  createHttpServer,
  createLogger,
  createRegistry,
  createSystemRegistry,
  type Logger,
  type ServiceApp,
  serviceVersion,
} from "@shop/telemetry";
import type { Registry } from "prom-client";
import { createOrderStore } from "./adapters/order-store.js";
import type { OrdersConfig } from "./config.js";
import { ORDERS_API } from "./http/api-info.js";
import { registerOrderRoutes } from "./http/routes.js";
import { createOrderMetrics, registerOpenOrderGauges } from "./metrics.js";

export const SERVICE = "orders";

export interface OrdersDeps {
  config: OrdersConfig;
  logger?: Logger;
  /** Per-replica metrics (/metrics). */
  registry?: Registry;
  /** System-wide gauges read from NATS (/metrics/system). */
  systemRegistry?: Registry;
}

export interface OrdersApp extends ServiceApp {
  bus: Bus;
}

export async function buildApp({
  config,
  logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
  registry = createRegistry(SERVICE),
  systemRegistry = createSystemRegistry(SERVICE),
}: OrdersDeps): Promise<OrdersApp> {
  const bus = await Bus.connect({ url: config.NATS_URL, name: SERVICE, logger, registry, systemRegistry });
  // Orders consumes nothing: an order's state is read from its events (adapters/order-reader.ts).
  await bus.provision({
    replicas: config.NATS_REPLICAS,
    consumerSettings: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS, maxDeliver: config.CONSUMER_MAX_DELIVER },
    consumers: [],
    retired: retiredDurablesOf(SERVICE),
    buckets: [BUCKETS.orderIdempotency],
  });
  const store = await createOrderStore(bus);
  const metrics = createOrderMetrics(registry);
  registerOpenOrderGauges(systemRegistry, bus);
  const http = await createHttpServer({
    logger,
    registry,
    systemRegistry,
    isReady: () => bus.isReady(),
    maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    openapi: { ...ORDERS_API, version: serviceVersion(import.meta.url) },
  });
  registerOrderRoutes(http, {
    store,
    publish: bus.publish,
    metrics,
    rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
  });

  return {
    http,
    bus,
    start: async ({ listen = true } = {}) => {
      if (listen) await http.listen({ port: config.PORT, host: config.HOST });
    },
    close: async () => {
      // 503 for new requests while in-flight ones finish, then stop consumers and drain NATS.
      await http.close();
      await bus.close();
    },
  };
}
