import { type Static, Type } from "@fastify/type-provider-typebox";
import { HttpProblem } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import type { InventoryStore } from "../adapters/inventory-store.js";

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

export function registerInventoryRoutes(app: FastifyInstance, store: InventoryStore): void {
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
