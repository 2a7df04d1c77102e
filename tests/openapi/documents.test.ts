import { Validator } from "@seriousme/openapi-schema-validator";
import type { OpenApiDocument } from "@shop/testkit";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack();
});
afterAll(async () => {
  await stack?.close();
});

const probes = {
  "GET /healthz": [200, 503],
  "GET /readyz": [200, 503],
  "GET /metrics": [200, 503],
  "GET /metrics/system": [200, 503],
};
/** Every operation of each service and the statuses it can answer. */
const EXPECTED: Record<"orders" | "inventory" | "payments", Record<string, number[]>> = {
  orders: {
    ...probes,
    "POST /orders": [202, 400, 413, 415, 422, 429, 500, 503],
    "GET /orders/{id}": [200, 400, 404, 500, 503],
  },
  inventory: {
    ...probes,
    "GET /inventory": [200, 400, 500, 503],
    "GET /inventory/{sku}": [200, 400, 404, 500, 503],
    "PUT /admin/stock/{sku}": [200, 400, 401, 403, 404, 413, 415, 500, 503],
  },
  payments: {
    ...probes,
    "GET /payments/{orderId}": [200, 400, 404, 500, 503],
    "GET /admin/provider/faults": [200, 401, 403, 500, 503],
    "PUT /admin/provider/faults": [200, 400, 401, 403, 413, 415, 500, 503],
  },
};
const SERVICES = Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>;

type Operation = {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Record<string, unknown> }>;
  security?: unknown;
  responses: Record<string, { headers?: Record<string, { required?: boolean }>; content?: Record<string, { schema: { $ref?: string } }> }>;
};

async function documentOf(service: keyof typeof EXPECTED): Promise<OpenApiDocument & Record<string, unknown>> {
  const res = await stack[service].http.inject({ method: "GET", url: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  return res.json();
}

function operation(document: OpenApiDocument, key: string): Operation {
  const [method = "", path = ""] = key.split(" ");
  return document.paths?.[path]?.[method.toLowerCase()] as Operation;
}

/** Every schema object in the document: components, parameters, headers and media types. */
function schemasOf(node: unknown, at = "#"): Array<[string, unknown]> {
  if (!node || typeof node !== "object") return [];
  const found: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "schema") found.push([`${at}/schema`, value]);
    else found.push(...schemasOf(value, `${at}/${key}`));
  }
  return found;
}

describe.each(SERVICES)("the %s service's /openapi.json", (service) => {
  it("is a valid OpenAPI 3.1 document (openapi-schema-validator), with a title and the service's version", async () => {
    const document = await documentOf(service);
    const result = await new Validator().validate(document);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document).toMatchObject({ openapi: "3.1.0", info: { title: expect.stringMatching(/API$/), version: "0.1.0" } });
  });

  it("lists every route with every status it answers, and nothing else", async () => {
    const document = await documentOf(service);
    const listed = Object.fromEntries(
      Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => [
          `${method.toUpperCase()} ${path}`,
          Object.keys((op as Operation).responses).map(Number),
        ]),
      ),
    );
    expect(listed).toEqual(EXPECTED[service]);
  });

  it("describes every error as application/problem+json with the shared Problem schema, open to extensions", async () => {
    const document = await documentOf(service);
    expect(document.components?.schemas?.Problem).toMatchObject({
      required: ["type", "title", "status", "detail", "instance"],
      properties: { errors: { type: "array" } },
      additionalProperties: true,
    });
    for (const key of Object.keys(EXPECTED[service])) {
      for (const [status, response] of Object.entries(operation(document, key).responses)) {
        if (Number(status) < 400 || key.startsWith("GET /healthz") || key.startsWith("GET /metrics")) continue;
        expect(response.content?.["application/problem+json"]?.schema, `${key} ${status}`).toEqual({
          $ref: "#/components/schemas/Problem",
        });
      }
    }
  });

  it("names Retry-After on every 503, and only schemas that are valid JSON Schema 2020-12", async () => {
    const document = await documentOf(service);
    for (const key of Object.keys(EXPECTED[service]).filter((k) => !/healthz|readyz|metrics/.test(k))) {
      expect(operation(document, key).responses["503"]?.headers, key).toHaveProperty("Retry-After");
    }
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const schemas = schemasOf(document);
    expect(schemas.length).toBeGreaterThan(10);
    for (const [where, schema] of schemas) expect(ajv.validateSchema(schema as object), `${where}: ${ajv.errorsText()}`).toBe(true);
  });
});

describe("what the documents say about headers, the catalog and the admin routes", () => {
  it("POST /orders: the Idempotency-Key request header, Location on 202, Retry-After required on 429", async () => {
    const post = operation(await documentOf("orders"), "POST /orders");
    expect(post.parameters).toEqual([expect.objectContaining({ in: "header", name: "idempotency-key", required: false })]);
    expect(post.responses["202"]?.headers?.Location).toMatchObject({ required: true });
    expect(post.responses["429"]?.headers?.["Retry-After"]).toMatchObject({ required: true });
  });

  it("GET /inventory: limit (1-200, default 50) and the after cursor, answering items and nextCursor", async () => {
    const list = operation(await documentOf("inventory"), "GET /inventory");
    const byName = Object.fromEntries((list.parameters ?? []).map((p) => [p.name, p]));
    expect(byName.limit).toMatchObject({
      in: "query",
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 200, default: 50 },
    });
    expect(byName.after).toMatchObject({ in: "query", required: false, schema: { type: "string" } });
    const page = list.responses["200"]?.content?.["application/json"]?.schema as { properties?: object; required?: string[] };
    expect(Object.keys(page.properties ?? {})).toEqual(["items", "nextCursor"]);
    expect(page.required).toEqual(["items"]);
  });

  it.each(SERVICES)("%s: GET /metrics and GET /metrics/system are documented as OpenMetrics text, and answer it", async (service) => {
    const document = await documentOf(service);
    for (const url of ["/metrics", "/metrics/system"]) {
      expect(Object.keys(operation(document, `GET ${url}`).responses["200"]?.content ?? {}), url).toEqual(["application/openmetrics-text"]);
      const res = await stack[service].http.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"], url).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
      expect(res.body, url).toMatch(/# EOF\n$/);
    }
  });

  it.each([
    ["inventory", "PUT /admin/stock/{sku}"],
    ["payments", "GET /admin/provider/faults"],
    ["payments", "PUT /admin/provider/faults"],
  ] as const)("%s %s is documented behind the bearer scheme adminToken", async (service, key) => {
    const document = await documentOf(service);
    expect(document.components).toMatchObject({ securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } });
    expect(operation(document, key).security).toEqual([{ adminToken: [] }]);
  });
});

describe("/docs, the Swagger UI", () => {
  /** The page's own assets: every src and href of the HTML. */
  async function page(http: InProcessStack["orders"]["http"]): Promise<{ html: string; assets: string[] }> {
    const res = await http.inject({ method: "GET", url: "/docs" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    return { html: res.body, assets: [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string) };
  }

  it.each(SERVICES)("on %s: an HTML page whose scripts and styles are served by the service itself (no CDN), each 200", async (service) => {
    const { http } = stack[service];
    const { html, assets } = await page(http);
    expect(html).toContain('<div id="swagger-ui">');
    expect(assets).toEqual(expect.arrayContaining(["/docs/static/swagger-ui.css", "/docs/static/swagger-ui-bundle.js"]));
    for (const asset of assets) {
      expect(asset, "a local asset").toMatch(/^\/docs\/static\//);
      const res = await http.inject({ method: "GET", url: asset });
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers["content-type"], asset).toMatch(/^(text\/css|application\/javascript|image\/png)/);
    }
  });

  it("loads the same document as /openapi.json", async () => {
    const { http } = stack.orders;
    const initializer = await http.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(initializer.body).toContain("resolveUrl('./json')");
    const viaDocs = await http.inject({ method: "GET", url: "/docs/json" });
    expect(viaDocs.json()).toEqual(await documentOf("orders"));
  });
});
