export { requireAdmin } from "./admin.js";
export { baseConfigShape, ConfigError, loadConfig, maxDeliverKey, natsWriteLingerKey, portKey } from "./config.js";
export { createHttpServer, type HttpServerOptions, requestSpan } from "./http-server.js";
export { createLogger, type Logger, type LoggerOptions, traceFields } from "./logger.js";
export { createHttpMetrics, createRegistry, createSystemRegistry, type HttpMetrics, observeWithTrace } from "./metrics.js";
export { DOCS_PREFIX, OPENAPI_PATH, type OpenApiInfo, serviceVersion } from "./openapi.js";
export {
  ADMIN_SECURITY_SCHEME,
  adminProblems,
  adminSecurity,
  adminSecuritySchemes,
  apiProblems,
  bodyProblems,
  type HeaderDoc,
  jsonResponse,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_SCHEMA_ID,
  ProblemSchema,
  problemResponse,
  retryAfter,
} from "./openapi-responses.js";
export { HttpProblem, sendProblem } from "./problem.js";
export { type RunnableApp, runMain, runService, type ServiceApp } from "./run-service.js";
export { createSagaMetrics, type SagaMetrics, type SagaResult } from "./saga-metrics.js";
export { startTelemetry, type Telemetry, type TelemetryOptions } from "./tracing.js";
