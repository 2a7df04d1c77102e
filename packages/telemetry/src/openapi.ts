// Kept in the declarations: services then see @fastify/swagger's route schema fields (tags, summary, security).
/// <reference types="@fastify/swagger" preserve="true" />
import { readFileSync } from "node:fs";
import swagger, { type FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { ProblemSchema } from "./openapi-responses.js";

export interface OpenApiInfo {
  title: string;
  /** Markdown, shown at the top of /docs. */
  description: string;
  version: string;
  /** Security schemes the routes name (e.g. adminSecuritySchemes). */
  securitySchemes?: Record<string, unknown>;
}

export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PREFIX = "/docs";

/** The document and the browsable docs: kept out of tracing and load shedding like the probes. */
export function isDocsPath(path: string): boolean {
  return path === OPENAPI_PATH || path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * OpenAPI 3.1 from the routes' own schemas (@fastify/swagger, dynamic mode): it collects routes as
 * they are added, so this runs before any route. Serves GET /openapi.json and the Swagger UI at
 * /docs from the assets bundled in @fastify/swagger-ui (no CDN: it works offline).
 */
export async function registerOpenApi(app: FastifyInstance, { title, description, version, securitySchemes }: OpenApiInfo): Promise<void> {
  app.addSchema(ProblemSchema);
  const options: FastifyDynamicSwaggerOptions = {
    openapi: {
      openapi: "3.1.0",
      info: { title, description, version },
      components: securitySchemes ? ({ securitySchemes } as never) : {},
    },
    // Shared schemas keep their $id as their name in components/schemas (Problem, not def-0).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    transformObject: (documentObject) => hoistRequiredHeaders("openapiObject" in documentObject ? documentObject.openapiObject : {}),
  };
  await app.register(swagger, options);
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { deepLinking: true, defaultModelsExpandDepth: 1 } });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}

type Doc = Record<string, unknown> & { paths?: Record<string, Record<string, { responses?: Record<string, { headers?: unknown }> }>> };

/**
 * A header's `required` belongs to the header object, but @fastify/swagger copies a route's header
 * definition into its `schema`, where `required` must be an array: move it out.
 */
function hoistRequiredHeaders<T>(document: T): T {
  for (const path of Object.values((document as Doc).paths ?? {})) {
    for (const operation of Object.values(path)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const header of Object.values(
          (response.headers ?? {}) as Record<string, { schema?: { required?: unknown }; required?: boolean }>,
        )) {
          if (typeof header.schema?.required === "boolean") {
            header.required = header.schema.required;
            delete header.schema.required;
          }
        }
      }
    }
  }
  return document;
}

/** The version in the package.json next to a service's src/ or dist/ folder (the image keeps both). */
export function serviceVersion(moduleUrl: string): string {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", moduleUrl), "utf8")) as { version: string };
  return version;
}
