import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { closingResponse, jsonResponse, problemResponse } from "./openapi-responses.js";
import { sendProblem } from "./problem.js";

const tags = ["operations"];
const Status = (value: string) => ({
  type: "object",
  required: ["status"],
  properties: { status: { type: "string", const: value } },
  additionalProperties: false,
});

export const METRICS_PATH = "/metrics";
/** Broker-derived gauges, the same on every replica: scraped once per service (see createSystemRegistry). */
export const SYSTEM_METRICS_PATH = "/metrics/system";
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", METRICS_PATH, SYSTEM_METRICS_PATH]);

export interface ProbeOptions {
  /** Per-replica metrics (/metrics). */
  registry: Registry;
  /** System-wide metrics read from the broker (/metrics/system). */
  systemRegistry: Registry;
  isReady: () => boolean;
}

/** /healthz, /readyz and both metrics routes: never shed, so their only other answer is the closing 503. */
export function registerProbes(app: FastifyInstance, { registry, systemRegistry, isReady }: ProbeOptions): void {
  app.get(
    "/healthz",
    {
      schema: {
        tags,
        summary: "Liveness: the process answers",
        response: { 200: jsonResponse("Alive.", Status("ok")), 503: closingResponse },
      },
    },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        tags,
        summary: "Readiness: NATS connected and streams provisioned",
        response: {
          200: jsonResponse("Ready for traffic.", Status("ready")),
          503: {
            ...problemResponse("Not ready: NATS is not connected or streams are not provisioned yet; or the server is closing."),
            content: { ...problemResponse("").content, ...closingResponse.content },
          },
        },
      },
    },
    async (_request, reply) => {
      if (isReady()) return { status: "ready" };
      return sendProblem(reply, 503, "Not ready", "NATS is not connected or streams are not provisioned yet.");
    },
  );
  scrapeRoute(app, METRICS_PATH, registry, {
    summary: "Prometheus metrics of this replica (OpenMetrics text)",
    description:
      "What this process did: HTTP, messages handled, breaker, Node. Scrape every replica and sum (breaker state: max). Reads nothing from the broker.",
  });
  scrapeRoute(app, SYSTEM_METRICS_PATH, systemRegistry, {
    summary: "System-wide gauges read from the broker (OpenMetrics text)",
    description:
      "Backlog and DLQ depth of the service's durables, and the state it keeps (orders: open orders; inventory: stock), the same on every replica: scrape it once per service, through its load-balanced address, and never sum it over instances.",
  });
}

function scrapeRoute(app: FastifyInstance, url: string, registry: Registry, doc: { summary: string; description: string }): void {
  app.get(
    url,
    {
      schema: {
        tags,
        ...doc,
        response: {
          200: {
            description: "OpenMetrics text.",
            content: { [registry.contentType.split(";")[0] as string]: { schema: { type: "string" } } },
          },
          503: closingResponse,
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
