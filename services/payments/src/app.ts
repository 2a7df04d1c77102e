import { BUCKETS, CONSUMERS } from "@shop/contracts";
import { Bus, createBreaker } from "@shop/eventbus";
import { createHttpServer, createLogger, createRegistry, type Logger, type ServiceApp } from "@shop/telemetry";
import type { Registry } from "prom-client";
import { createFakeProvider, type PaymentProvider } from "./adapters/fake-provider.js";
import { createPaymentStore, type PaymentStore } from "./adapters/payment-store.js";
import { tracedCharge } from "./adapters/provider-client.js";
import type { PaymentsConfig } from "./config.js";
import { onInventoryReserved } from "./handlers/on-inventory-reserved.js";
import { registerPaymentRoutes } from "./http/routes.js";

export const SERVICE = "payments";

export interface PaymentsDeps {
  config: PaymentsConfig;
  logger?: Logger;
  registry?: Registry;
  /** The provider to call; the simulated one, configured from `config`, by default. */
  provider?: PaymentProvider;
}

export interface PaymentsApp extends ServiceApp {
  bus: Bus;
  store: PaymentStore;
}

export async function buildApp({
  config,
  logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
  registry = createRegistry(SERVICE),
  provider,
}: PaymentsDeps): Promise<PaymentsApp> {
  const bus = await Bus.connect({ url: config.NATS_URL, name: SERVICE, logger, registry });
  await bus.provision({
    replicas: config.NATS_REPLICAS,
    consumerSettings: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS, maxDeliver: config.CONSUMER_MAX_DELIVER },
    consumers: [CONSUMERS.paymentsOnInventoryReserved],
    buckets: [BUCKETS.payments, BUCKETS.providerLedger],
  });
  const store = await createPaymentStore(bus);
  const psp =
    provider ??
    createFakeProvider(store.ledger, {
      failureRate: config.PAYMENT_FAILURE_RATE,
      latencyMs: config.PAYMENT_LATENCY_MS,
      declineAboveMinor: config.PAYMENT_DECLINE_ABOVE_MINOR,
    });
  // A timed-out charge is "unknown": the breaker fails it, the message is retried with the same key.
  const breaker = createBreaker(tracedCharge(psp), {
    name: "payment-provider",
    logger,
    registry,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
    resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
  });
  const http = await createHttpServer({ logger, registry, isReady: () => bus.isReady() });
  registerPaymentRoutes(http, store);

  return {
    http,
    bus,
    store,
    start: async ({ listen = true } = {}) => {
      await bus.consume(
        CONSUMERS.paymentsOnInventoryReserved,
        onInventoryReserved({ store, charge: breaker.fire, publish: bus.publish }),
        config.CONSUMER_CONCURRENCY,
      );
      if (listen) await http.listen({ port: config.PORT, host: config.HOST });
    },
    close: async () => {
      await http.close();
      await bus.close();
      breaker.shutdown();
    },
  };
}
