// Kept in the declarations: services then see the route option rate-limit adds (config.rateLimit).
/// <reference types="@fastify/rate-limit" preserve="true" />
import { FastifyOtelInstrumentation } from "@fastify/otel";
import rateLimit from "@fastify/rate-limit";
import underPressure from "@fastify/under-pressure";
import type { Span } from "@opentelemetry/api";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createHttpMetrics, observeWithTrace } from "./metrics.js";
import { isDocsPath, type OpenApiInfo, registerOpenApi } from "./openapi.js";
import { PROBE_PATHS, registerProbes } from "./probes.js";
import { HttpProblem, sendProblem } from "./problem.js";
import { queryCoercingValidators } from "./validators.js";

/** Probes, scrapes and the API docs: never traced, never shed. Takes a route template or a request URL. */
function isQuietPath(url: string): boolean {
  const path = url.split("?", 1)[0] ?? url;
  return PROBE_PATHS.has(path) || isDocsPath(path);
}

export interface HttpServerOptions {
  logger: Logger;
  /** Per-replica metrics, served at /metrics; the HTTP RED metrics go here. */
  registry: Registry;
  /** System-wide gauges read from the broker, served at /metrics/system. */
  systemRegistry: Registry;
  /** Readiness for /readyz (NATS connected, streams provisioned). */
  isReady: () => boolean;
  bodyLimit?: number;
  /** Answer 503 (load shedding) while event-loop delay is above this; 0 turns shedding off. */
  maxEventLoopDelayMs?: number;
  /** Title, description and version of the service's OpenAPI document (GET /openapi.json, /docs). */
  openapi: OpenApiInfo;
}

/**
 * The HTTP shell every service shares: strict validation (no coercion of bodies, no silent
 * stripping), problem+json errors, /healthz, /readyz, /metrics, /metrics/system, RED metrics, and
 * the OpenAPI document of every route added to it (/openapi.json, /docs).
 */
export async function createHttpServer({
  logger,
  registry,
  systemRegistry,
  isReady,
  bodyLimit = 64 * 1024,
  maxEventLoopDelayMs = 0,
  openapi,
}: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit,
    return503OnClosing: true,
    // Per-request lines would dominate the log at load; HTTP RED metrics cover them.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false } },
    schemaController: { compilersFactory: { buildValidator: queryCoercingValidators() } },
    // Errors Fastify answers before routing (an undecodable URL 400, a path parameter over 100 characters 414): problem+json too.
    frameworkErrors: (error, _request, reply) =>
      sendProblem(reply, error.statusCode ?? 400, titleFor(error.statusCode ?? 400), error.message),
  });
  // Before any route: the plugin wraps route handlers so they run inside the request's SERVER span.
  await app.register(
    new FastifyOtelInstrumentation({
      instrumentHooks: false,
      ignorePaths: ({ url }: { url: string }) => isQuietPath(url),
      requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? "unmatched"}`),
    }).plugin(),
  );
  // Per-route limits (config.rateLimit on a route); 429 with Retry-After through the error handler.
  await app.register(rateLimit, { global: false });
  if (maxEventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      // Probes and scrapes keep answering under load: a shed liveness probe would get the pod killed.
      pressureHandler: async (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
        if (isQuietPath(request.routeOptions.url ?? "")) return;
        reply.header("Retry-After", "1");
        throw new HttpProblem(
          503,
          "OVERLOADED",
          "Service unavailable",
          `Shedding load (${type}: ${Math.round(value ?? 0)}); retry shortly.`,
        );
      },
    });
  }
  // JSON only: anything else is 415, not a string body that fails validation later.
  app.removeContentTypeParser("text/plain");
  const http = createHttpMetrics(registry);

  app.addHook("onResponse", async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched", status_code: String(reply.statusCode) };
    http.requests.inc(labels);
    observeWithTrace(http.duration, labels, reply.elapsedTime / 1000, requestSpan(request));
  });

  app.setErrorHandler((error: FastifyError | HttpProblem | Error, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.status, error.title, error.message, error.extensions);
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors = fastifyError.validation.map((v) => ({ path: v.instancePath || "/", message: v.message ?? "invalid" }));
      return sendProblem(reply, 400, "Invalid request", fastifyError.message, { errors });
    }
    if ((error as { retryable?: boolean }).retryable === true) {
      request.log.warn({ err: error }, "dependency unavailable");
      reply.header("Retry-After", "1");
      return sendProblem(reply, 503, "Service unavailable", "A dependency is unavailable; retry shortly.");
    }
    const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return sendProblem(reply, status, "Internal error", "The request could not be processed.");
    }
    return sendProblem(reply, status, titleFor(status), error.message);
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, "Not found", `${request.method} ${request.url} does not exist`));

  // Before any route: @fastify/swagger documents the routes added after it.
  await registerOpenApi(app, openapi);
  registerProbes(app, { registry, systemRegistry, isReady });
  return app;
}

function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
  };
  return titles[status] ?? "Request error";
}

/** The request's SERVER span (the active span inside a handler is the plugin's handler span). */
export function requestSpan(request: FastifyRequest): Span | undefined {
  return (request as FastifyRequest & { opentelemetry?: () => { span?: Span | null } }).opentelemetry?.().span ?? undefined;
}
