import { create } from "@bufbuild/protobuf";
import { type OrderCreated, OrderCreatedSchema } from "@shop/contracts";

/** A minimal valid OrderCreated for the bus tests. */
export function orderCreated(orderId: string): OrderCreated {
  return create(OrderCreatedSchema, {
    meta: { eventId: `orders.created:${orderId}`, orderId, occurredAtMs: BigInt(Date.now()) },
    customerId: "c-1",
    lines: [{ sku: "SKU-1", quantity: 1 }],
  });
}
