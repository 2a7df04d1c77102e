import { BUCKETS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { createInventoryStore } from "../src/adapters/inventory-store.js";
import type { InventoryDeps } from "../src/use-cases/reserve-order.js";

/**
 * An inventory "replica" inside a test: its own connection and stores (and so its own caches) on
 * the shared nats-server. Nothing but KV compare-and-set stands between two of them.
 */
export async function connectReplica(url: string, name: string): Promise<{ bus: Bus; deps: InventoryDeps }> {
  const bus = await Bus.connect({ url, name, logger: pino({ level: "silent" }) });
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.stock, BUCKETS.reservations] });
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
