import { type Static, Type } from "@fastify/type-provider-typebox";
import { HttpProblem, requireAdmin } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { setAvailable } from "../domain/stock.js";

const SkuParams = Type.Object({ sku: Type.String({ pattern: "^[A-Z0-9][A-Z0-9-]{0,63}$" }) }, { additionalProperties: false });
const StockView = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  available: Type.Integer(),
  reserved: Type.Integer(),
  sold: Type.Integer(),
  priceMinor: Type.Integer(),
  currency: Type.String(),
});

const StockCount = Type.Object({ available: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }, { additionalProperties: false });

export function registerInventoryRoutes(app: FastifyInstance, store: InventoryStore, adminToken: string | undefined): void {
  app.put<{ Params: Static<typeof SkuParams>; Body: Static<typeof StockCount> }>(
    "/admin/stock/:sku",
    { onRequest: requireAdmin(adminToken), schema: { params: SkuParams, body: StockCount, response: { 200: StockView } } },
    async function setStockHandler(request) {
      const { sku } = request.params;
      const updated = await store.stock.update(sku, (current) => (current ? setAvailable(current, request.body.available) : null));
      if (!updated) throw new HttpProblem(404, "SKU_NOT_FOUND", "SKU not found", `no SKU ${sku} in the catalog`);
      request.log.warn({ sku, available: updated.available, initial: updated.initial }, "stock set by operator");
      return updated;
    },
  );

  app.get<{ Params: Static<typeof SkuParams> }>(
    "/inventory/:sku",
    { schema: { params: SkuParams, response: { 200: StockView } } },
    async function getStockHandler(request) {
      const found = await store.stock.get(request.params.sku);
      if (!found) throw new HttpProblem(404, "SKU_NOT_FOUND", "SKU not found", `no SKU ${request.params.sku} in the catalog`);
      return found.value;
    },
  );
}
