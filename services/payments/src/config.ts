import { baseConfigShape, loadConfig, maxDeliverKey, natsWriteLingerKey, portKey } from "@shop/telemetry";
import { z } from "zod";

const rate = z.coerce.number().min(0).max(1);
const ms = z.coerce.number().int().min(0);

const shape = {
  ...baseConfigShape,
  PORT: portKey(3002),
  /** Its writes (acks, payment events, the simulated provider's ledger) are off the HTTP path. */
  NATS_WRITE_LINGER_MS: natsWriteLingerKey(5),
  // Payments gives up by its deadline (void + fail), not by delivery count: naks while the breaker
  // is open must not exhaust deliveries. -1 = unlimited.
  CONSUMER_MAX_DELIVER: maxDeliverKey(-1),
  /** Share of provider calls that fail transiently (simulated outage noise). */
  PAYMENT_FAILURE_RATE: rate.default(0),
  /** Latency added to every provider call. */
  PAYMENT_LATENCY_MS: ms.default(0),
  /** Charges above this many minor units are declined. */
  PAYMENT_DECLINE_ABOVE_MINOR: z.coerce.number().int().positive().default(1_000_000),
  /** Every provider call fails (simulated outage). */
  PAYMENT_OUTAGE: z.stringbool().default(false),
  /** Share of charges recorded by the provider whose response is lost (0-1). */
  PAYMENT_LOST_RESPONSE_RATE: rate.default(0),
  /** A payment without an answer after this long is abandoned: its key is voided, the order cancelled. */
  PAYMENT_DEADLINE_MS: ms.positive().default(120_000),
  /** Bearer token for /admin routes; without it they answer 403. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  PROVIDER_TIMEOUT_MS: ms.positive().default(2_000),
  BREAKER_ERROR_THRESHOLD_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  BREAKER_RESET_TIMEOUT_MS: ms.positive().default(5_000),
  BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(1).default(10),
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, env);
}
