import { type Logger, pino } from "pino";

export interface LoggerOptions {
  service: string;
  level: string;
  pretty?: boolean;
}

export function createLogger({ service, level, pretty = false }: LoggerOptions): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } } : {}),
  });
}

export type { Logger };
