import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { ConfigError } from "./config.js";
import { createLogger } from "./logger.js";
import { startTelemetry, type Telemetry } from "./tracing.js";

export interface RunnableApp {
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an app and closes it on SIGTERM/SIGINT within `shutdownTimeoutMs`; a second signal or the
 * deadline forces exit. Used by every service's main.ts.
 */
export async function runService(app: RunnableApp, logger: Logger, shutdownTimeoutMs: number, telemetry?: Telemetry): Promise<void> {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      logger.warn({ signal }, "second signal; exiting now");
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      logger.error({ shutdownTimeoutMs }, "shutdown deadline passed; exiting");
      process.exit(1);
    }, shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.close();
      await telemetry?.shutdown();
      logger.info("shutdown complete");
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err }, "start failed");
    process.exit(1);
  }
}

/** What every service's buildApp returns: the Fastify instance for inject(), and its lifecycle. */
export interface ServiceApp extends RunnableApp {
  http: FastifyInstance;
  /** Starts the consumers and, unless `listen` is false, the HTTP listener. */
  start(options?: { listen?: boolean }): Promise<void>;
}

/** What main.ts needs of a service: its name, its config loader and its buildApp. */
export interface ServiceEntry<Config extends ServiceBaseConfig> {
  service: string;
  loadConfig: () => Config;
  buildApp: (deps: { config: Config; logger: Logger }) => Promise<RunnableApp>;
}

interface ServiceBaseConfig {
  LOG_LEVEL: string;
  LOG_PRETTY: boolean;
  SHUTDOWN_TIMEOUT_MS: number;
}

/**
 * A service's whole main: read the environment (a bad key stops the start, named), start
 * telemetry, build, run until a signal. Any failure before serving exits 1.
 */
export async function runMain<Config extends ServiceBaseConfig>({ service, loadConfig, buildApp }: ServiceEntry<Config>): Promise<void> {
  try {
    const config = loadConfig();
    const telemetry = startTelemetry({ service });
    const logger = createLogger({ service, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
    await runService(await buildApp({ config, logger }), logger, config.SHUTDOWN_TIMEOUT_MS, telemetry);
  } catch (err) {
    console.error(err instanceof ConfigError ? `${service}: ${err.message}` : err);
    process.exit(1);
  }
}
