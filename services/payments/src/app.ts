import { BUCKETS, CONSUMERS, retiredDurablesOf } from "@shop/contracts";
import { Bus, createBreaker } from "@shop/eventbus";
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
import { createFakeProvider, type ProviderSettings } from "./adapters/fake-provider.js";
import { createPaymentStore, type PaymentStore } from "./adapters/payment-store.js";
import { providerClient } from "./adapters/provider-client.js";
import type { PaymentsConfig } from "./config.js";
import { onInventoryDecided } from "./handlers/on-inventory-decided.js";
import { registerProviderAdminRoutes } from "./http/admin-routes.js";
import { PAYMENTS_API } from "./http/api-info.js";
import { registerPaymentRoutes } from "./http/routes.js";

export const SERVICE = "payments";

export interface PaymentsDeps {
  config: PaymentsConfig;
  logger?: Logger;
  /** Per-replica metrics (/metrics). */
  registry?: Registry;
  /** System-wide gauges read from NATS (/metrics/system). */
  systemRegistry?: Registry;
}

export interface PaymentsApp extends ServiceApp {
  bus: Bus;
  store: PaymentStore;
}

/** NATS connection name of the simulated payment provider (its ledger), apart from the service's own. */
export const PROVIDER_CONNECTION = "payment-provider-sim";

export async function buildApp({
  config,
  logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
  registry = createRegistry(SERVICE),
  systemRegistry = createSystemRegistry(SERVICE),
}: PaymentsDeps): Promise<PaymentsApp> {
  const writeLingerMs = config.NATS_WRITE_LINGER_MS;
  const bus = await Bus.connect({ url: config.NATS_URL, name: SERVICE, logger, registry, systemRegistry, writeLingerMs });
  await bus.provision({
    replicas: config.NATS_REPLICAS,
    consumerSettings: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS, maxDeliver: config.CONSUMER_MAX_DELIVER },
    consumers: [CONSUMERS.paymentsOnInventoryDecided],
    retired: retiredDurablesOf(SERVICE),
    buckets: [BUCKETS.providerLedger],
  });
  const providerBus = await Bus.connect({ url: config.NATS_URL, name: PROVIDER_CONNECTION, logger, writeLingerMs });
  const store = await createPaymentStore(bus, providerBus);
  // Faults start from the environment and can be changed at run time through /admin/provider/faults.
  const settings: ProviderSettings = {
    failureRate: config.PAYMENT_FAILURE_RATE,
    latencyMs: config.PAYMENT_LATENCY_MS,
    outage: config.PAYMENT_OUTAGE,
    lostResponseRate: config.PAYMENT_LOST_RESPONSE_RATE,
    declineAboveMinor: config.PAYMENT_DECLINE_ABOVE_MINOR,
  };
  // A timed-out call is "unknown": the breaker fails it and the message is retried with the same key.
  const breaker = createBreaker((call: () => Promise<unknown>) => call(), {
    name: "payment-provider",
    logger,
    registry,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
    resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
  });
  const provider = providerClient(
    createFakeProvider(store.ledger, settings),
    <T>(call: () => Promise<T>) => breaker.fire(call) as Promise<T>,
  );
  const http = await createHttpServer({
    logger,
    registry,
    systemRegistry,
    isReady: () => bus.isReady(),
    maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    openapi: { ...PAYMENTS_API, version: serviceVersion(import.meta.url), securitySchemes: adminSecuritySchemes },
  });
  registerPaymentRoutes(http, store);
  const saga = createSagaMetrics(registry, ["confirmed", "cancelled"]);
  registerProviderAdminRoutes(http, settings, config.ADMIN_TOKEN);

  return {
    http,
    bus,
    store,
    start: async ({ listen = true } = {}) => {
      await bus.consume(
        CONSUMERS.paymentsOnInventoryDecided,
        onInventoryDecided({ store, provider, publish: bus.publish, deadlineMs: config.PAYMENT_DEADLINE_MS, saga }),
        config.CONSUMER_CONCURRENCY,
      );
      if (listen) await http.listen({ port: config.PORT, host: config.HOST });
    },
    close: async () => {
      await http.close();
      await bus.close();
      await providerBus.close();
      breaker.shutdown();
    },
  };
}
