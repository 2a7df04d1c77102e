export { baseConfigShape, ConfigError, loadConfig, portKey } from "./config.js";
export { createHttpServer, HttpProblem, type HttpServerOptions, PROBLEM_CONTENT_TYPE, sendProblem } from "./http-server.js";
export { createLogger, type Logger, type LoggerOptions } from "./logger.js";
export { createHttpMetrics, createRegistry, type HttpMetrics } from "./metrics.js";
export { type RunnableApp, runService, type ServiceApp } from "./run-service.js";
