import { Type } from "@fastify/type-provider-typebox";

export const MAX_LINES = 100;
export const MAX_QUANTITY = 1_000;

const Sku = Type.String({ pattern: "^[A-Z0-9][A-Z0-9-]{0,63}$", description: "Catalog SKU, e.g. MUG-RED" });

export const PlaceOrderBody = Type.Object(
  {
    customerId: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" }),
    items: Type.Array(
      Type.Object({ sku: Sku, quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: MAX_LINES },
    ),
  },
  { additionalProperties: false },
);

export const PlaceOrderHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x21-\\x7E]+$",
      description:
        "Idempotency-Key: the same key and body again answer the same order; the same key with another body is 422. Keys are remembered for 24 hours; after that a request with the key is a new request.",
    }),
  ),
});

export const OrderParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) }, { additionalProperties: false });

const OrderStatus = Type.Union(
  ["PENDING", "RESERVED", "CONFIRMED", "REJECTED", "CANCELLED"].map((s) => Type.Literal(s)),
  { description: "PENDING and RESERVED move on; CONFIRMED, REJECTED and CANCELLED are final." },
);

/** A replayed Idempotency-Key answers the order as it is now, so any status. */
export const OrderAccepted = Type.Object({ orderId: Type.String(), status: OrderStatus });

export const OrderView = Type.Object({
  orderId: Type.String(),
  customerId: Type.String(),
  status: OrderStatus,
  items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer(), unitPriceMinor: Type.Optional(Type.Integer()) })),
  totalMinor: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Optional(Type.String()),
  /** Only while not terminal: the step the saga waits for, and the order's age. */
  waitingFor: Type.Optional(Type.Union([Type.Literal("inventory"), Type.Literal("payment")])),
  ageSeconds: Type.Optional(Type.Integer()),
});
