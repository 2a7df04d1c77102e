import { setTimeout as delay } from "node:timers/promises";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace";
import { isOtelSdkDisabled } from "./config.js";

/** Longest the final span flush may delay a shutdown. */
const FLUSH_BUDGET_MS = 2_000;

export interface Telemetry {
  /** Flushes pending spans and stops the SDK; safe to call more than once. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  service: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the OpenTelemetry SDK: OTLP/HTTP trace export configured by the standard OTEL_* variables,
 * W3C trace-context propagation, parent-based ratio sampling (OTEL_TRACES_SAMPLER_ARG, default 1).
 * An absent collector costs dropped batches, not log lines: no diag logger is installed unless
 * OTEL_LOG_LEVEL asks for one.
 */
export function startTelemetry({ service, env = process.env }: TelemetryOptions): Telemetry {
  if (isOtelSdkDisabled(env)) return { shutdown: async () => undefined };
  const explicitSampler = env.OTEL_TRACES_SAMPLER !== undefined;
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    spanProcessors: [new BatchSpanProcessor({ exporter: createExporter(env), ...batchOptions(env) })],
    // OTEL_TRACES_SAMPLER, when set, wins (the SDK reads it); otherwise parent-based ratio.
    ...(explicitSampler ? {} : { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }),
    instrumentations: [],
    // No resource detectors that probe the network (cloud metadata) on a laptop or in CI.
    resourceDetectors: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    shutdown: () => {
      // The exporter retries an absent collector for seconds; the drain deadline matters more than the last spans.
      stopped ??= Promise.race([sdk.shutdown().catch(() => undefined), delay(FLUSH_BUDGET_MS, undefined, { ref: false })]);
      return stopped;
    },
  };
}

/**
 * OTLP over HTTP in the spec's default encoding, protobuf (a fraction of JSON's CPU at load);
 * OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL=http/json selects JSON.
 */
function createExporter(env: NodeJS.ProcessEnv) {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  const url = tracesUrl(env);
  return protocol === "http/json" ? new OTLPJsonTraceExporter({ url }) : new OTLPProtobufTraceExporter({ url });
}

/** OTLP/HTTP traces URL per the spec: the signal-specific variable as is, else the base endpoint + /v1/traces. */
function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, "")}/v1/traces`;
  return undefined;
}

function batchOptions(env: NodeJS.ProcessEnv): { scheduledDelayMillis?: number } {
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return Number.isFinite(delay) && delay > 0 ? { scheduledDelayMillis: delay } : {};
}
