import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InventoryStore } from "../src/adapters/inventory-store.js";
import { hold, newStockItem, setAvailable } from "../src/domain/stock.js";
import { type InventoryDeps, reserveOrder } from "../src/use-cases/reserve-order.js";
import { settleReservation } from "../src/use-cases/settle-reservation.js";
import { recordDecision, startReplicaPair } from "./replica-support.js";

// Two inventory replicas (see replica-support.ts): nothing but KV compare-and-set and the decision fence stands between them.
let pair: Awaited<ReturnType<typeof startReplicaPair>>;
let one: InventoryDeps;
let two: InventoryDeps;

beforeAll(async () => {
  pair = await startReplicaPair();
  ({ one, two } = pair);
});
afterAll(async () => {
  await pair?.stop();
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
    // The decision stays as recorded: the payment event is the outcome's record, the hold is gone.
    expect((await one.store.decisions.read("settle-2"))?.status).toBe("RESERVED");
  });

  it("a replica settles the holds the payment event names without reading the reservation", async () => {
    const sku = "NAMED";
    await one.store.stock.create(sku, newStockItem(sku, "Named", 400, "EUR", 2));
    // Held under attempt "a-1", and no reservation stored at all: only the event's holds can say what to settle.
    await two.store.stock.update(sku, (current) => {
      const held = current && hold(current, "named-1", 1, "a-1");
      return held?.ok ? held.item : null;
    });
    await expect(settleReservation(two.store, "named-1", "SOLD")).rejects.toThrow(/no reservation/);
    // A hold the event does not name (another attempt's) is not sold; the named one is.
    await settleReservation(two.store, "named-1", "SOLD", {}, [{ sku, holdId: "a-2" }]);
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 1, reserved: 1, sold: 0 });
    await settleReservation(two.store, "named-1", "SOLD", {}, [{ sku, holdId: "a-1" }]);
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 1, reserved: 0, sold: 1, holds: {} });
  });

  it("a hold taken for an order another replica has already rejected is released by the replica that meets the rejection", async () => {
    const sku = "RACED";
    await one.store.stock.create(sku, newStockItem(sku, "Raced", 700, "EUR", 0));
    // Replica one found no stock for raced-1 and stored the rejection; replica two, working on the
    // same (redelivered) event, held the unit that came back meanwhile.
    expect(await recordDecision(one, "raced-1", "REJECTED")).toBe(true);
    await two.store.stock.update(sku, (current) => current && setAvailable(current, 1));
    await two.store.stock.update(sku, (current) => {
      const held = current && hold(current, "raced-1", 1, "two");
      return held?.ok ? held.item : null;
    });
    // Replica two goes on: its decision loses to the stored one, which it then honours.
    expect((await reserveOrder(two, { orderId: "raced-1", customerId: "c-raced", lines: line(sku) })).status).toBe("REJECTED");
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 1, reserved: 0, holds: {} });
  });

  it("an order.created handled again after its order was settled (a broker crash rolled the consumer back) sells nothing twice", async () => {
    const sku = "AGAIN";
    await one.store.stock.create(sku, newStockItem(sku, "Again", 300, "EUR", 3));
    const input = { orderId: "again-1", customerId: "c-again", lines: line(sku) };
    const first = await reserveOrder(one, input);
    await settleReservation(one.store, "again-1", "SOLD");
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 2, reserved: 0, sold: 1, holds: {} });
    // The same event again, on the other replica: it holds anew, meets the stored reservation, releases its own hold.
    expect(await reserveOrder(two, input)).toMatchObject({ status: "RESERVED", lines: first.lines });
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 2, reserved: 0, sold: 1, holds: {} });
    // And the payment event again: the reservation's hold is gone, nothing more is sold.
    await settleReservation(two.store, "again-1", "SOLD");
    expect(await stockOf(one.store, sku)).toMatchObject({ available: 2, reserved: 0, sold: 1, holds: {} });
  });
});
