import { BUCKETS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";
import type { Output } from "../output.js";
import { UsageError } from "./dlq.js";

/** The order as every service holds it: the view, inventory's reservation, the payment, the provider's record. */
export async function orderShow(bus: Bus, out: Output, orderId: string): Promise<void> {
  const read = async (bucket: string, key: string) => (await (await bus.kv<unknown>(bucket)).get(key))?.value ?? null;
  const order = await read(BUCKETS.orders, orderId);
  if (!order) throw new UsageError(`no order ${orderId}`);
  out.object({
    order,
    reservation: await read(BUCKETS.reservations, orderId),
    payment: await read(BUCKETS.payments, orderId),
    provider: await read(BUCKETS.providerLedger, `order-${orderId}`),
  });
}
