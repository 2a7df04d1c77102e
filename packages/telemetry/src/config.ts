import { z } from "zod";

/** Start-up refused: names every bad key at once. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const natsUrl = z
  .string()
  .refine((value) => value.split(",").every((url) => /^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(url.trim())), "must be nats://host:port[,...]");

/** Keys every service reads (docs/architecture.md, public contract). */
export const baseConfigShape = {
  NATS_URL: natsUrl.default("nats://127.0.0.1:4222"),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: z.stringbool().default(false),
  NATS_REPLICAS: z.coerce
    .number()
    .int()
    .refine((n) => [1, 3, 5].includes(n), "must be 1, 3 or 5")
    .default(1),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Load shedding: answer 503 while event-loop delay exceeds this (0 = off). */
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(1_000),
  /**
   * Handlers in flight per durable. A saga step spends most of its time waiting on the broker (a
   * linger, a compare-and-set, a publish ack), so 16 capped inventory near 800 orders/s with CPU to spare.
   */
  CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  /** How long a delivered message may stay unacked before JetStream redelivers it (e.g. after a crash). */
  CONSUMER_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(30_000),
  // Standard OpenTelemetry keys, validated here so a typo fails the start; the SDK reads them itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json"]).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SDK_DISABLED: otelSdkDisabledKey(),
  /** Deliveries before a message is given up on and moved to the DLQ. */
  // With the 30 s backoff cap, 20 deliveries keep retrying for about 7 minutes: a broker failover
  // never sends a message to the DLQ; a message that still fails after that is stuck and surfaced.
  CONSUMER_MAX_DELIVER: maxDeliverKey(20),
};

/** OTEL_SDK_DISABLED as the config check and the tracing start-up both read it ("true", "1", "yes", "on"...). */
export function otelSdkDisabledKey() {
  return z.stringbool().optional();
}

/** Whether tracing is off, by the same parser the config check uses (an invalid value leaves it on). */
export function isOtelSdkDisabled(env: NodeJS.ProcessEnv): boolean {
  return otelSdkDisabledKey().safeParse(env.OTEL_SDK_DISABLED).data === true;
}

/** Deliveries before a message goes to the DLQ: -1 (unlimited) or at least 1. */
export function maxDeliverKey(defaultValue: number) {
  return z.coerce
    .number()
    .int()
    .refine((n) => n === -1 || n >= 1, "must be -1 (unlimited) or at least 1")
    .default(defaultValue);
}

/**
 * NATS_WRITE_LINGER_MS: how long a service's NATS writes wait to share one socket write. Each write
 * wakes nats-server; a consumer service under load saves CPU on both sides by sharing them, at up to
 * this much latency per broker round trip (0 = the next event-loop turn).
 */
export function natsWriteLingerKey(defaultMs: number) {
  return z.coerce.number().int().min(0).max(100).default(defaultMs);
}

export function portKey(defaultPort: number) {
  return z.coerce.number().int().min(0).max(65_535).default(defaultPort);
}

/** Parses `env` with `shape`; throws ConfigError listing every bad key. */
export function loadConfig<Shape extends z.ZodRawShape>(shape: Shape, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`),
  );
}
