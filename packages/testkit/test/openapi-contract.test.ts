import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { OpenApiContract, type OpenApiDocument, type RecordedResponse } from "../src/openapi-contract.js";
import { recordContract } from "../src/response-recorder.js";

const problem = { content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };
const DOCUMENT: OpenApiDocument = {
  openapi: "3.1.0",
  paths: {
    "/items/{id}": {
      get: {
        responses: {
          200: {
            description: "ok",
            content: { "application/json": { schema: { type: "object", required: ["id"], properties: { id: { type: "string" } } } } },
          },
          404: { description: "missing", ...problem },
        },
      },
    },
    "/items": {
      post: {
        responses: {
          202: {
            description: "accepted",
            headers: { Location: { required: true, schema: { type: "string", pattern: "^/items/" } } },
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Problem: { type: "object", required: ["status", "title"], properties: { status: { type: "integer" }, title: { type: "string" } } },
    },
  },
};

const json = (status: number, body: unknown, headers: Record<string, unknown> = {}, route = "/items/:id"): RecordedResponse => ({
  method: route === "/items" ? "POST" : "GET",
  url: "/items/1",
  route,
  status,
  headers: { "content-type": status >= 400 ? "application/problem+json; charset=utf-8" : "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body),
});

describe("OpenApiContract", () => {
  const contract = new OpenApiContract(DOCUMENT);

  it("accepts responses that match the document", () => {
    expect(contract.check(json(200, { id: "1" }))).toEqual([]);
    expect(contract.check(json(404, { status: 404, title: "Not found", extra: true }))).toEqual([]);
    expect(contract.check(json(202, {}, { location: "/items/1" }, "/items"))).toEqual([]);
  });

  it.each<[string, RecordedResponse, RegExp]>([
    ["an undocumented status", json(418, { status: 418, title: "teapot" }), /status 418 is not documented \(documented: 200, 404\)/],
    ["a body missing a required property", json(200, { name: "x" }), /body: \(root\) must have required property 'id'/],
    ["a body that is not JSON", { ...json(200, {}), body: "{oops" }, /not JSON/],
    [
      "an undocumented content type",
      { ...json(200, {}), headers: { "content-type": "text/plain" } },
      /content type text\/plain is not documented/,
    ],
    ["a missing required header", json(202, {}, {}, "/items"), /required header Location is missing/],
    [
      "a header that does not match its schema",
      json(202, {}, { location: "/elsewhere" }, "/items"),
      /header Location "\/elsewhere": \(root\) must match pattern/,
    ],
    ["a route the document does not have", json(200, {}, {}, "/other"), /GET \/other is not in the document/],
    ["a problem whose status differs from the HTTP one", json(404, { status: 400, title: "x" }), /problem status 400 differs/],
    ["an unmatched URL answered other than 404", { ...json(200, {}), route: undefined }, /400, 404 or 414 expected/],
    [
      "an unmatched URL answered without a problem body",
      { ...json(404, { title: "x" }), route: undefined },
      /must have required property 'status'/,
    ],
  ])("rejects %s", (_case, response, message) => {
    expect(contract.check(response).join("\n")).toMatch(message);
  });
});

describe("recordContract on a Fastify app", () => {
  async function appWithDocument() {
    const app = Fastify();
    const recorder = recordContract(app);
    app.get("/openapi.json", async () => DOCUMENT);
    app.get("/items/:id", async (request, reply) =>
      (request.params as { id: string }).id === "tea" ? reply.code(418).send({}) : { id: "1" },
    );
    return { app, recorder };
  }

  it("passes when every recorded response conforms, and counts them", async () => {
    const { app, recorder } = await appWithDocument();
    await app.inject({ method: "GET", url: "/items/1" });
    await app.inject({ method: "GET", url: "/items/2" });
    expect(await recorder.verify()).toBe(2);
    await app.close();
  });

  it("fails on a response with an undocumented status", async () => {
    const { app, recorder } = await appWithDocument();
    await app.inject({ method: "GET", url: "/items/1" });
    await app.inject({ method: "GET", url: "/items/tea" });
    await expect(recorder.verify()).rejects.toThrow(
      /1 response\(s\) do not conform.*\nGET \/items\/tea -> 418: status 418 is not documented/s,
    );
    await app.close();
  });

  it("fails when nothing but the document itself was recorded", async () => {
    const { app, recorder } = await appWithDocument();
    await expect(recorder.verify()).rejects.toThrow(/no response to check/);
    expect(recorder.responses.map((r) => r.route)).toEqual(["/openapi.json"]);
    await app.close();
  });
});
