import type { FastifyInstance } from "fastify";
import { OpenApiContract, type OpenApiDocument, type RecordedResponse } from "./openapi-contract.js";

export interface ContractRecorderOptions {
  /** Where the app serves its own document. */
  documentPath?: string;
  /** Routes the document leaves out on purpose: the document itself and its browsable docs. */
  isUndocumented?: (route: string) => boolean;
}

export interface ContractRecorder {
  readonly responses: readonly RecordedResponse[];
  /**
   * Checks every response recorded so far against the app's own OpenAPI document. Throws, listing
   * each response that does not conform, and also when no documented response was recorded at all
   * (a hook that never ran must not pass). Returns how many responses were checked.
   */
  verify(): Promise<number>;
}

const isDocsRoute = (route: string) => route === "/openapi.json" || route === "/docs" || route.startsWith("/docs/");

/**
 * Records every response `app` sends from now on (an onSend hook: call it before the app's first
 * request, as Fastify takes no hooks once ready).
 */
export function recordContract(app: FastifyInstance, options: ContractRecorderOptions = {}): ContractRecorder {
  const { documentPath = "/openapi.json", isUndocumented = isDocsRoute } = options;
  const responses: RecordedResponse[] = [];
  app.addHook("onSend", async (request, reply, payload) => {
    responses.push({
      method: request.method,
      url: request.url,
      route: request.routeOptions.url,
      status: reply.statusCode,
      headers: { ...reply.getHeaders() },
      body: typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : payload == null ? "" : undefined,
    });
    return payload;
  });
  return {
    responses,
    verify: async () => {
      const served = await app.inject({ method: "GET", url: documentPath });
      if (served.statusCode !== 200) throw new Error(`GET ${documentPath} answered ${served.statusCode}: ${served.body}`);
      const contract = new OpenApiContract(served.json() as OpenApiDocument);
      const checked = responses.filter((r) => r.route === undefined || !isUndocumented(r.route));
      if (checked.length === 0)
        throw new Error("no response to check: the recording hook saw none (was it added after the app was ready?)");
      const failures = checked.flatMap((r) => contract.check(r).map((problem) => `${r.method} ${r.url} -> ${r.status}: ${problem}`));
      if (failures.length > 0) {
        throw new Error(`${failures.length} response(s) do not conform to ${documentPath}:\n${failures.join("\n")}`);
      }
      return checked.length;
    },
  };
}
