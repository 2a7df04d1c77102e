import { setTimeout as delay } from "node:timers/promises";
import { createHttpServer, createLogger, createRegistry, createSystemRegistry } from "@shop/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postCountsBetween, postCountsOf, scrapePostCounts } from "../src/server-tail.js";

// The services' own HTTP shell, so the scrape parsed is the one orders serves.
describe("POST /orders as orders timed it", () => {
  let app: Awaited<ReturnType<typeof createHttpServer>>;
  let url: string;

  beforeAll(async () => {
    app = await createHttpServer({
      logger: createLogger({ service: "orders", level: "silent" }),
      registry: createRegistry("orders"),
      systemRegistry: createSystemRegistry("orders"),
      isReady: () => true,
      openapi: { title: "test", description: "test", version: "0" },
    });
    app.post("/orders", async (request, reply) => {
      // The measured subject: a response that takes longer than the 50 ms bound.
      if ((request.body as { slow?: boolean }).slow) await delay(70);
      return reply.code(202).send({ ok: true });
    });
    app.get("/orders/:id", async () => ({ ok: true }));
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (body: object) =>
    fetch(`${url}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("counts every POST /orders of the window and those over 50 ms, whatever their status, and nothing else", async () => {
    const before = await scrapePostCounts([url]);
    expect((await post({ slow: false })).status).toBe(202);
    expect((await post({ slow: true })).status).toBe(202);
    expect((await post({ slow: false })).status).toBe(202);
    // Another status of the same route counts; another route does not.
    expect((await fetch(`${url}/orders`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" })).status).toBe(415);
    expect((await fetch(`${url}/orders/abc`)).status).toBe(200);

    expect(postCountsBetween(before, await scrapePostCounts([url]))).toEqual({ requests: 4, over50Ms: 1 });
  });

  it("sums the replicas' scrapes", async () => {
    const one = await scrapePostCounts([url]);
    expect(await scrapePostCounts([url, url])).toEqual({ requests: 2 * one.requests, over50Ms: 2 * one.over50Ms });
  });

  it("reads OpenMetrics lines with exemplars", () => {
    const exposition = [
      'http_server_request_duration_seconds_bucket{le="0.025",method="POST",route="/orders",status_code="202",service="orders"} 7',
      'http_server_request_duration_seconds_bucket{le="0.05",method="POST",route="/orders",status_code="202",service="orders"} 9 # {trace_id="abc"} 0.04 1.7e9',
      'http_server_request_duration_seconds_bucket{le="+Inf",method="POST",route="/orders",status_code="202",service="orders"} 12',
      'http_server_request_duration_seconds_bucket{le="+Inf",method="GET",route="/orders/:id",status_code="200",service="orders"} 40',
    ].join("\n");
    expect(postCountsOf(exposition)).toEqual({ requests: 12, over50Ms: 3 });
  });
});
