import { BUCKETS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInventoryStore, type InventoryStore } from "../src/adapters/inventory-store.js";
import { newStockItem } from "../src/domain/stock.js";
import { type InventoryDeps, reserveOrder } from "../src/use-cases/reserve-order.js";
import { settleReservation } from "../src/use-cases/settle-reservation.js";

// Two inventory replicas: two connections, each with its own stores (and so its own caches), on one
// nats-server. Nothing but KV compare-and-set stands between them.
const logger = pino({ level: "silent" });
let nats: NatsServerHandle;
const buses: Bus[] = [];
let one: InventoryDeps;
let two: InventoryDeps;

async function replica(name: string): Promise<InventoryDeps> {
  const bus = await Bus.connect({ url: nats.url, name, logger });
  buses.push(bus);
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.stock, BUCKETS.reservations] });
  return { store: await createInventoryStore(bus), publish: bus.publish };
}

beforeAll(async () => {
  nats = await startNatsServer();
  one = await replica("inventory-1");
  two = await replica("inventory-2");
});
afterAll(async () => {
  for (const bus of buses) await bus.close();
  await nats?.stop();
});

const stockOf = async (store: InventoryStore, sku: string) => (await store.stock.get(sku))?.value;
const line = (sku: string) => [{ sku, quantity: 1 }];

describe("two inventory replicas on the same keys", () => {
  it("a payment settled by the replica that did not take the hold sells the held unit", async () => {
    await one.store.stock.create("SETTLE", newStockItem("SETTLE", "Settle", 500, "EUR", 5));
    // Replica two writes the SKU first (and caches it); then replica one holds a unit for o-2.
    await reserveOrder(two, { orderId: "settle-1", customerId: "c-1", lines: line("SETTLE") });
    await reserveOrder(one, { orderId: "settle-2", customerId: "c-2", lines: line("SETTLE") });
    // o-2's payment succeeded and its event reached replica two, whose cache predates the hold.
    await settleReservation(two.store, "settle-2", "SOLD");
    await settleReservation(one.store, "settle-1", "RELEASED");
    expect(await stockOf(one.store, "SETTLE")).toMatchObject({ available: 4, reserved: 0, sold: 1, holds: {} });
    expect((await one.store.reservations.get("settle-2"))?.value.status).toBe("SOLD");
  });
});
