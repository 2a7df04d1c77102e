import { trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, type LoggerOptions as LoggerOptions_, pino } from "pino";

export interface LoggerOptions {
  service: string;
  level: string;
  pretty?: boolean;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/** pino JSON logs; every line written inside a span carries its trace_id and span_id. */
export function createLogger({ service, level, pretty = false, destination }: LoggerOptions): Logger {
  const options: LoggerOptions_ = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}

export type { Logger };
