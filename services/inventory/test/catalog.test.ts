import { type ContractRecorder, type NatsServerHandle, recordContract, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry } from "../src/adapters/demo-catalog.js";
import { buildApp, type InventoryApp } from "../src/app.js";
import { loadInventoryConfig } from "../src/config.js";

const ADMIN_TOKEN = "a-test-admin-token-0123456789";
// 120 SKUs seeded in a scrambled order: pages must come back sorted whatever the write order was.
const SKUS = Array.from({ length: 120 }, (_, i) => `SKU-${String((i * 37) % 120).padStart(3, "0")}`);
const CATALOG: CatalogEntry[] = SKUS.map((sku, i) => ({ sku, name: `Item ${sku}`, priceMinor: 100 + i, currency: "EUR", quantity: i }));
const SORTED = [...SKUS].sort();

let nats: NatsServerHandle;
let app: InventoryApp;
let contract: ContractRecorder;

beforeAll(async () => {
  nats = await startNatsServer();
  const config = loadInventoryConfig({ NATS_URL: nats.url, PORT: "0", ADMIN_TOKEN });
  app = await buildApp({ config, logger: pino({ level: "silent" }), catalog: CATALOG });
  contract = recordContract(app.http);
  await app.start({ listen: false });
});
afterAll(async () => {
  await app?.close();
  await nats?.stop();
});

interface Page {
  items: Array<{ sku: string } & Record<string, unknown>>;
  nextCursor?: string;
}

async function page(query: string): Promise<Page> {
  const res = await app.http.inject({ method: "GET", url: `/inventory${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
}

/** Follows nextCursor from the first page to the last; returns the pages. */
async function walk(limit?: number): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | undefined;
  do {
    const params = new URLSearchParams({ ...(limit ? { limit: String(limit) } : {}), ...(after ? { after } : {}) });
    const next = await page(params.size ? `?${params}` : "");
    pages.push(next);
    after = next.nextCursor;
  } while (after !== undefined);
  return pages;
}

describe("GET /inventory lists the catalog a page at a time", () => {
  it("with the default limit: pages of 50 in ascending SKU order, every SKU once, no cursor on the last page", async () => {
    const pages = await walk();
    expect(pages.map((p) => p.items.length)).toEqual([50, 50, 20]);
    expect(pages.flatMap((p) => p.items.map((item) => item.sku))).toEqual(SORTED);
    // The cursor is the last SKU of its page.
    expect(pages.map((p) => p.nextCursor)).toEqual([SORTED[49], SORTED[99], undefined]);
  });

  it("an item has the same shape as GET /inventory/:sku (stock and price, no internal holds)", async () => {
    const [first] = (await page("?limit=1")).items;
    const single = await app.http.inject({ method: "GET", url: `/inventory/${SORTED[0]}` });
    expect(first).toEqual(single.json());
    expect(Object.keys(first ?? {}).sort()).toEqual(["available", "currency", "name", "priceMinor", "reserved", "sku", "sold"]);
  });

  it("the order is stable: the same query answers the same page, also after stock changes", async () => {
    const before = await page(`?limit=7&after=${SORTED[10]}`);
    expect(await page(`?limit=7&after=${SORTED[10]}`)).toEqual(before);
    const changed = before.items[3]?.sku as string;
    const put = await app.http.inject({
      method: "PUT",
      url: `/admin/stock/${changed}`,
      payload: { available: 999 },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(put.statusCode, put.body).toBe(200);
    const after = await page(`?limit=7&after=${SORTED[10]}`);
    expect(after.items.map((item) => item.sku)).toEqual(before.items.map((item) => item.sku));
    expect(after.items[3]).toMatchObject({ sku: changed, available: 999 });
  });

  it("limit 200 answers the whole catalog in one page without a cursor; limit 1 walks it one SKU at a time", async () => {
    const all = await page("?limit=200");
    expect(all.items.map((item) => item.sku)).toEqual(SORTED);
    expect(all.nextCursor).toBeUndefined();
    const ones = await walk(1);
    expect(ones).toHaveLength(120);
    expect(ones.map((p) => p.items[0]?.sku)).toEqual(SORTED);
  });

  it("a cursor after the last SKU answers an empty page", async () => {
    expect(await page(`?after=${SORTED.at(-1)}`)).toEqual({ items: [] });
  });

  it.each([
    ["limit 0", "?limit=0", "/limit"],
    ["limit 201 (above the maximum)", "?limit=201", "/limit"],
    ["a negative limit", "?limit=-5", "/limit"],
    ["a fractional limit", "?limit=1.5", "/limit"],
    ["a limit that is not a number", "?limit=ten", "/limit"],
    ["a cursor that is not a SKU", "?after=not%20a%20sku", "/after"],
    ["an unknown parameter", "?offset=50", "/"],
  ])("%s -> 400 problem+json naming the parameter", async (_case, query, path) => {
    const res = await app.http.inject({ method: "GET", url: `/inventory${query}` });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, title: "Invalid request", errors: [{ path, message: expect.any(String) }] });
  });

  it("an unknown SKU -> 404 problem; a malformed one -> 400 problem", async () => {
    const missing = await app.http.inject({ method: "GET", url: "/inventory/NO-SUCH-THING" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect((await app.http.inject({ method: "GET", url: "/inventory/lower-case" })).statusCode).toBe(400);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await contract.verify()).toBeGreaterThan(0);
  });
});
