import { type Static, Type } from "@fastify/type-provider-typebox";
import { adminProblems, adminSecurity, apiProblems, bodyProblems, jsonResponse, requireAdmin } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { ProviderFaults } from "../adapters/fake-provider.js";

const Rate = Type.Number({ minimum: 0, maximum: 1 });
const FaultsPatch = Type.Object(
  {
    failureRate: Type.Optional(Rate),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    outage: Type.Optional(Type.Boolean()),
    lostResponseRate: Type.Optional(Rate),
  },
  { additionalProperties: false },
);

const Faults = Type.Object({
  failureRate: Rate,
  latencyMs: Type.Integer(),
  outage: Type.Boolean(),
  lostResponseRate: Rate,
});

/** Fault injection into the simulated provider while it runs (chaos tests, demos). */
export function registerProviderAdminRoutes(app: FastifyInstance, faults: ProviderFaults, adminToken: string | undefined): void {
  const onRequest = requireAdmin(adminToken);
  const view = () => ({
    failureRate: faults.failureRate,
    latencyMs: faults.latencyMs,
    outage: faults.outage,
    lostResponseRate: faults.lostResponseRate,
  });
  const schema = { tags: ["admin"], security: adminSecurity };
  // The faults live in this process: no NATS involved.
  const problems = { ...adminProblems(), ...apiProblems({ usesNats: false }) };
  app.get(
    "/admin/provider/faults",
    {
      onRequest,
      schema: {
        ...schema,
        summary: "The simulated provider's faults",
        response: { 200: jsonResponse("Faults now.", Faults), ...problems },
      },
    },
    async function getProviderFaults() {
      return view();
    },
  );
  app.put<{ Body: Static<typeof FaultsPatch> }>(
    "/admin/provider/faults",
    {
      onRequest,
      schema: {
        ...schema,
        summary: "Change the simulated provider's faults (the fields sent)",
        body: FaultsPatch,
        response: { 200: jsonResponse("Faults now.", Faults), ...bodyProblems("Invalid or unknown fault"), ...problems },
      },
    },
    async function setProviderFaults(request) {
      Object.assign(faults, request.body);
      request.log.warn({ faults: view() }, "provider faults changed");
      return view();
    },
  );
}
