import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";

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
  if (env.OTEL_SDK_DISABLED === "true") return { shutdown: async () => undefined };
  const explicitSampler = env.OTEL_TRACES_SAMPLER !== undefined;
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
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
      stopped ??= sdk.shutdown().catch(() => undefined);
      return stopped;
    },
  };
}
