/**
 * Response schemas of the OpenAPI documents. They are the routes' real response schemas: Fastify
 * serialises with them (fast-json-stringify drops properties a schema does not name, so every field
 * a handler sends must be in its schema) and @fastify/swagger documents them.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
export const PROBLEM_SCHEMA_ID = "Problem";

/** RFC 9457 problem details; open to extension members, as the error handler adds some (`errors`). */
export const ProblemSchema = {
  $id: PROBLEM_SCHEMA_ID,
  title: "Problem",
  description: "Problem details (RFC 9457). Extension members may follow, such as `errors` on a 400.",
  type: "object",
  required: ["type", "title", "status", "detail", "instance"],
  properties: {
    type: { type: "string", format: "uri-reference", description: "Always `about:blank`: status and title say what happened." },
    title: { type: "string" },
    status: { type: "integer", minimum: 400, maximum: 599, description: "The HTTP status." },
    detail: { type: "string" },
    instance: { type: "string", description: "The path (and query) of the request that failed." },
    errors: {
      type: "array",
      description: "On a 400 from validation: each value that failed, by JSON pointer.",
      items: {
        type: "object",
        required: ["path", "message"],
        properties: { path: { type: "string" }, message: { type: "string" } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: true,
} as const;

/** A response header; `required` is moved from the schema to the header object in the document. */
export interface HeaderDoc {
  type: "string";
  description: string;
  pattern?: string;
  required?: boolean;
}
export type Headers = Record<string, HeaderDoc>;

export const retryAfter = (required: boolean): Headers => ({
  "Retry-After": { type: "string", pattern: "^[0-9]+$", description: "Seconds to wait before retrying.", required },
});

export function jsonResponse(description: string, schema: object, headers?: Headers) {
  return { description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } };
}

export function problemResponse(description: string, headers?: Headers) {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` } } },
  };
}

/** Fastify's own answer to a request that arrives while the server is closing (return503OnClosing). */
const ClosingBody = {
  type: "object",
  description: "Fastify's answer while the server closes (after SIGTERM); not problem+json.",
  required: ["error", "message", "statusCode"],
  properties: { error: { type: "string" }, message: { type: "string" }, statusCode: { type: "integer", const: 503 } },
} as const;

/**
 * 503: the service cannot answer now. `reasons` says which of load shedding, NATS down or not ready
 * applies to the route; every route also answers 503 while the server closes.
 */
export function unavailableResponse(reasons: string) {
  return {
    description: `${reasons}; or the server is closing. Retry later, after Retry-After seconds when given.`,
    headers: retryAfter(false),
    content: {
      [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` } },
      "application/json": { schema: ClosingBody },
    },
  };
}

/** Only the closing 503: routes that are never shed and need nothing else (probes, scrapes). */
export const closingResponse = {
  description: "The server is closing (after SIGTERM).",
  content: { "application/json": { schema: ClosingBody } },
};

const SHED = "Load shedding (event-loop delay above SHED_EVENT_LOOP_DELAY_MS)";
const NATS_DOWN = "NATS unreachable or slow (the request was not carried out)";

/** Statuses every API route can answer besides its own: 500 and 503 (shedding, NATS, closing). */
export function apiProblems({ usesNats = true }: { usesNats?: boolean } = {}) {
  return {
    500: problemResponse("Unexpected failure; nothing is promised about the request's effect."),
    503: unavailableResponse(usesNats ? `${SHED}, or ${NATS_DOWN}` : SHED),
  };
}

/** Statuses of routes that take a JSON body: before any validation, the body must parse as JSON of at most 64 KiB. */
export function bodyProblems(invalid: string) {
  return {
    400: problemResponse(`${invalid}; or the body is not valid JSON. \`errors\` lists each invalid value.`),
    413: problemResponse("The body is larger than 64 KiB."),
    415: problemResponse("The body is not JSON (only application/json is accepted)."),
  };
}

/** Statuses of /admin routes (requireAdmin): the bearer scheme is named in the document's components. */
export const ADMIN_SECURITY_SCHEME = "adminToken";
export const adminSecurity = [{ [ADMIN_SECURITY_SCHEME]: [] as string[] }];
export const adminSecuritySchemes = {
  [ADMIN_SECURITY_SCHEME]: {
    type: "http",
    scheme: "bearer",
    description: "ADMIN_TOKEN of the service. Without ADMIN_TOKEN configured the admin API is off and answers 403.",
  },
} as const;
export function adminProblems() {
  return {
    401: problemResponse("No bearer token.", {
      "WWW-Authenticate": { type: "string", description: 'Bearer realm="admin"', required: true },
    }),
    403: problemResponse("Wrong token, or the admin API is off (ADMIN_TOKEN unset)."),
  };
}
