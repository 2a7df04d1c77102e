export { requireAdmin } from "./admin.js";
export { baseConfigShape, ConfigError, loadConfig, maxDeliverKey, portKey } from "./config.js";
export { createHttpServer, HttpProblem, type HttpServerOptions, PROBLEM_CONTENT_TYPE, requestSpan, sendProblem } from "./http-server.js";
export { createLogger, type Logger, type LoggerOptions, traceFields } from "./logger.js";
export { createHttpMetrics, createRegistry, type HttpMetrics, observeWithTrace } from "./metrics.js";
export { type RunnableApp, runMain, runService, type ServiceApp } from "./run-service.js";
export { startTelemetry, type Telemetry, type TelemetryOptions } from "./tracing.js";
