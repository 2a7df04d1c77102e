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

/** /healthz, /readyz and /metrics: never shed, so their only other answer is the closing 503. */
export function registerProbes(app: FastifyInstance, { registry, isReady }: { registry: Registry; isReady: () => boolean }): void {
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
  app.get(
    "/metrics",
    {
      schema: {
        tags,
        summary: "Prometheus metrics (OpenMetrics text)",
        response: {
          200: {
            description: "Every series of the service.",
            content: { [registry.contentType.split(";")[0] as string]: { schema: { type: "string" } } },
          },
          503: closingResponse,
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
