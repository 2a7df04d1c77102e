import type { Static } from "@fastify/type-provider-typebox";
import {
  adminProblems,
  adminSecurity,
  apiProblems,
  bodyProblems,
  HttpProblem,
  jsonResponse,
  problemResponse,
  requireAdmin,
} from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { setAvailable } from "../domain/stock.js";
import { CATALOG_PAGE_DEFAULT, CatalogPage, CatalogQuery, SkuParams, StockCount, StockView } from "./schemas.js";

const tags = ["inventory"];

export function registerInventoryRoutes(app: FastifyInstance, store: InventoryStore, adminToken: string | undefined): void {
  app.put<{ Params: Static<typeof SkuParams>; Body: Static<typeof StockCount> }>(
    "/admin/stock/:sku",
    {
      onRequest: requireAdmin(adminToken),
      schema: {
        tags: ["admin"],
        summary: "Set a SKU's available count (an operator's stock count)",
        security: adminSecurity,
        params: SkuParams,
        body: StockCount,
        response: {
          200: jsonResponse("The SKU after the count.", StockView),
          ...bodyProblems("Invalid SKU or count"),
          ...adminProblems(),
          404: problemResponse("No such SKU in the catalog."),
          ...apiProblems(),
        },
      },
    },
    async function setStockHandler(request) {
      const { sku } = request.params;
      const stored = await store.stock.update(sku, (current) => (current ? setAvailable(current, request.body.available) : null));
      // A copy: the next update of this SKU edits the stored object in place, maybe before the reply is written.
      const updated = stored && structuredClone(stored);
      if (!updated) throw new HttpProblem(404, "SKU_NOT_FOUND", "SKU not found", `no SKU ${sku} in the catalog`);
      request.log.warn({ sku, available: updated.available, initial: updated.initial }, "stock set by operator");
      return updated;
    },
  );

  app.get<{ Querystring: Static<typeof CatalogQuery> }>(
    "/inventory",
    {
      schema: {
        tags,
        summary: "The catalog: every SKU with its stock and price, a page at a time",
        description: "Pages are in ascending SKU order, stable between calls. Follow `nextCursor` as `after` until it is absent.",
        querystring: CatalogQuery,
        response: {
          200: jsonResponse("One page of SKUs.", CatalogPage),
          400: problemResponse("Invalid `limit` (1 to 200) or `after`, or an unknown query parameter."),
          ...apiProblems(),
        },
      },
    },
    async function listCatalogHandler(request) {
      const { limit = CATALOG_PAGE_DEFAULT, after } = request.query;
      // Listing keys is fine here: the catalog is bounded by what the shop sells, not by traffic.
      const page = await store.stock.page({ after, limit });
      const items = page.entries.map((entry) => entry.value);
      return page.nextAfter === undefined ? { items } : { items, nextCursor: page.nextAfter };
    },
  );

  app.get<{ Params: Static<typeof SkuParams> }>(
    "/inventory/:sku",
    {
      schema: {
        tags,
        summary: "One SKU's stock and price",
        params: SkuParams,
        response: {
          200: jsonResponse("The SKU.", StockView),
          400: problemResponse("Malformed SKU."),
          404: problemResponse("No such SKU in the catalog."),
          ...apiProblems(),
        },
      },
    },
    async function getStockHandler(request) {
      const found = await store.stock.get(request.params.sku);
      if (!found) throw new HttpProblem(404, "SKU_NOT_FOUND", "SKU not found", `no SKU ${request.params.sku} in the catalog`);
      return found.value;
    },
  );
}
