import { ConfigError, createLogger, runService } from "@shop/telemetry";
import { buildApp, SERVICE } from "./app.js";
import { loadInventoryConfig } from "./config.js";

try {
  const config = loadInventoryConfig();
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  await runService(await buildApp({ config, logger }), logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  console.error(err instanceof ConfigError ? `${SERVICE}: ${err.message}` : err);
  process.exit(1);
}
