import { create } from "@bufbuild/protobuf";
import { BUCKETS, EVENTS, eventId, eventMeta, InventoryRejectedSchema, InventoryReservedSchema, RejectionReason } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { createInventoryStore } from "../src/adapters/inventory-store.js";
import type { ReservationStatus } from "../src/domain/reservation.js";
import type { InventoryDeps } from "../src/use-cases/reserve-order.js";

/**
 * An inventory "replica" inside a test: its own connection and stores (and so its own caches) on
 * the shared nats-server. Nothing but KV compare-and-set and the decision subject's fence stands
 * between two of them.
 */
export async function connectReplica(url: string, name: string): Promise<{ bus: Bus; deps: InventoryDeps }> {
  const bus = await Bus.connect({ url, name, logger: pino({ level: "silent" }) });
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.stock] });
  return { bus, deps: { store: await createInventoryStore(bus), publish: bus.publish } };
}

/** A nats-server of its own with two inventory replicas on it, and how to stop them all. */
export async function startReplicaPair(): Promise<{
  nats: NatsServerHandle;
  one: InventoryDeps;
  two: InventoryDeps;
  stop(): Promise<void>;
}> {
  const nats = await startNatsServer();
  const first = await connectReplica(nats.url, "inventory-1");
  const second = await connectReplica(nats.url, "inventory-2");
  return {
    nats,
    one: first.deps,
    two: second.deps,
    stop: async () => {
      for (const bus of [first.bus, second.bus]) await bus.close();
      await nats.stop();
    },
  };
}

/**
 * Stores a decision as inventory does (its fenced event), a reservation naming the holds `named`;
 * false when the order already has one.
 */
export async function recordDecision(
  { publish }: InventoryDeps,
  orderId: string,
  status: ReservationStatus,
  named: { sku: string; holdId: string }[] = [],
): Promise<boolean> {
  const options = (event: typeof EVENTS.inventoryRejected | typeof EVENTS.inventoryReserved) => ({
    msgId: eventId(event, orderId),
    firstOfSubject: true,
  });
  const ack =
    status === "REJECTED"
      ? await publish(
          EVENTS.inventoryRejected,
          create(InventoryRejectedSchema, { meta: eventMeta(EVENTS.inventoryRejected, orderId), reason: RejectionReason.OUT_OF_STOCK }),
          options(EVENTS.inventoryRejected),
        )
      : await publish(
          EVENTS.inventoryReserved,
          create(InventoryReservedSchema, {
            meta: eventMeta(EVENTS.inventoryReserved, orderId),
            customerId: "c-1",
            lines: named.map(({ sku, holdId }) => ({ sku, quantity: 1, unitPrice: { amountMinor: 0n, currency: "EUR" }, holdId })),
            total: { amountMinor: 0n, currency: "EUR" },
          }),
          options(EVENTS.inventoryReserved),
        );
  return !ack.duplicate;
}
