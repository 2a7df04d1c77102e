import { Type } from "@fastify/type-provider-typebox";

const SKU_PATTERN = "^[A-Z0-9][A-Z0-9-]{0,63}$";

export const SkuParams = Type.Object({ sku: Type.String({ pattern: SKU_PATTERN }) }, { additionalProperties: false });

/** What a client sees of a SKU: its counts and price (holds and the initial count stay inside). */
export const StockView = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  available: Type.Integer(),
  reserved: Type.Integer(),
  sold: Type.Integer(),
  priceMinor: Type.Integer({ description: "Price in minor units (cents) of `currency`." }),
  currency: Type.String(),
});

export const StockCount = Type.Object({ available: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }, { additionalProperties: false });

export const CATALOG_PAGE_DEFAULT = 50;
export const CATALOG_PAGE_MAX = 200;

export const CatalogQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: CATALOG_PAGE_MAX, default: CATALOG_PAGE_DEFAULT, description: "SKUs per page." }),
    ),
    after: Type.Optional(
      Type.String({ pattern: SKU_PATTERN, description: "Cursor: the `nextCursor` of the previous page (its last SKU)." }),
    ),
  },
  { additionalProperties: false },
);

export const CatalogPage = Type.Object({
  items: Type.Array(StockView, { description: "SKUs in ascending order." }),
  nextCursor: Type.Optional(Type.String({ description: "Present when more SKUs follow: pass it as `after`." })),
});
