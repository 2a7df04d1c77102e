import { toJson } from "@bufbuild/protobuf";
import { BUCKETS, EVENTS, eventSubject, orderEventsPattern, STREAMS, type StreamName } from "@shop/contracts";
import type { Bus, StoredEvent } from "@shop/eventbus";
import type { Output } from "../output.js";
import { UsageError } from "./dlq.js";

/** The order as the system holds it: its events (the record) and the simulated provider's record. */
export async function orderShow(bus: Bus, out: Output, orderId: string): Promise<void> {
  const events = bus.events();
  const read = async (bucket: string, key: string) => (await (await bus.kv<unknown>(bucket)).get(key))?.value ?? null;
  const event = async (stream: StreamName, subject: string) => {
    const stored: StoredEvent | null = await events.last(stream, subject);
    return stored
      ? {
          subject: stored.subject,
          sequence: stored.sequence,
          storedAt: new Date(stored.storedAtMs).toISOString(),
          message: toJson(stored.event.schema, stored.message),
        }
      : null;
  };
  const created = await event(STREAMS.orders.name, eventSubject(EVENTS.orderCreated, orderId));
  if (!created) throw new UsageError(`no order ${orderId}`);
  out.object({
    events: {
      created,
      inventory: await event(STREAMS.inventory.name, orderEventsPattern(STREAMS.inventory.name, orderId)),
      payment: await event(STREAMS.payments.name, orderEventsPattern(STREAMS.payments.name, orderId)),
    },
    provider: await read(BUCKETS.providerLedger, `order-${orderId}`),
  });
}
