import { ConfigError } from "@shop/telemetry";
import { waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InventoryStore } from "../src/adapters/inventory-store.js";
import { buildApp } from "../src/app.js";
import { loadInventoryConfig } from "../src/config.js";
import type { ReservationStatus } from "../src/domain/reservation.js";
import { hold, invariantHolds, newStockItem } from "../src/domain/stock.js";
import { createHoldSweeper, type HoldSweepOptions } from "../src/use-cases/release-stale-holds.js";
import { type InventoryDeps, reserveOrder } from "../src/use-cases/reserve-order.js";
import { recordDecision as recordStoredDecision, startReplicaPair } from "./replica-support.js";

// Two inventory replicas (two connections, each with its own stores and caches) on one nats-server,
// and the sweep that repairs what a replica killed mid-decision leaves behind.
let pair: Awaited<ReturnType<typeof startReplicaPair>>;
let one: InventoryDeps;
let two: InventoryDeps;
const warnings: Array<Record<string, unknown>> = [];
const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });

beforeAll(async () => {
  pair = await startReplicaPair();
  ({ one, two } = pair);
});
afterEach(async () => {
  // Every case starts from an empty catalog: a sweep looks at all of it.
  for (const sku of await one.store.stock.keys()) await one.store.stock.delete(sku);
  warnings.length = 0;
});
afterAll(async () => {
  await pair?.stop();
});

/** A sweeper on `store` that records what it released. */
function sweeper(store: InventoryStore, options: Partial<HoldSweepOptions> = {}) {
  const released: Array<{ sku: string; orderId: string; units: number }> = [];
  return { released, ...createHoldSweeper({ store, logger, onReleased: (h) => released.push(h), ...options }) };
}

const stockOf = async (sku: string) => (await one.store.stock.get(sku))?.value;
const addSku = (sku: string, units: number) => one.store.stock.create(sku, newStockItem(sku, sku, 500, "EUR", units));

/** Takes a hold the way reserveOrder's decide does (one compare-and-set on the SKU), and goes no further. */
async function takeHold(store: InventoryStore, sku: string, orderId: string, units: number, holdId = "lost"): Promise<void> {
  await store.stock.update(sku, (current) => {
    const held = current && hold(current, orderId, units, holdId);
    return held?.ok ? held.item : null;
  });
}

function recordDecision(orderId: string, status: ReservationStatus, named: { sku: string; holdId: string }[] = []): Promise<boolean> {
  return recordStoredDecision(two, orderId, status, named);
}

describe("the hold sweep releases a hold left by a replica that died before meeting its order's rejection", () => {
  it("the window reproduced: replica two rejects and acks, replica one holds afterwards and dies; the second sweep that sees the hold releases it", async () => {
    await addSku("LEAK-MUG", 5);
    await addSku("LEAK-GONE", 0);
    const lines = [
      { sku: "LEAK-MUG", quantity: 2 },
      { sku: "LEAK-GONE", quantity: 1 },
    ];
    // Replica two (a redelivery) decides, records REJECTED and releases the holds it finds: none yet.
    expect((await reserveOrder(two, { orderId: "leak-1", customerId: "c-1", lines })).status).toBe("REJECTED");
    // Replica one (the slow first delivery) had read no decision; it holds now and is killed before reading one.
    await takeHold(one.store, "LEAK-MUG", "leak-1", 2);
    expect(await stockOf("LEAK-MUG")).toMatchObject({ available: 3, reserved: 2, holds: { "leak-1": 2 } });

    const survivor = sweeper(two.store);
    expect(await survivor.sweepOnce()).toMatchObject({ skus: 2, holds: 1, suspects: 0, lookups: 0, released: 0 });
    expect(await survivor.sweepOnce()).toMatchObject({ holds: 1, suspects: 1, lookups: 1, released: 1 });

    const item = await stockOf("LEAK-MUG");
    expect(item).toMatchObject({ initial: 5, available: 5, reserved: 0, sold: 0, holds: {} });
    expect(item && invariantHolds(item)).toBe(true);
    expect(survivor.released).toEqual([{ sku: "LEAK-MUG", orderId: "leak-1", units: 2 }]);
    expect(warnings).toEqual([expect.objectContaining({ orderId: "leak-1", sku: "LEAK-MUG", units: 2 })]);
    expect(await survivor.sweepOnce()).toMatchObject({ holds: 0, lookups: 0, released: 0 });
  });

  it("a hold first seen in this sweep is left until the next", async () => {
    await addSku("YOUNG", 3);
    const early = sweeper(one.store);
    await early.sweepOnce();
    await recordDecision("young-1", "REJECTED");
    await takeHold(two.store, "YOUNG", "young-1", 1);
    expect(await early.sweepOnce()).toMatchObject({ holds: 1, suspects: 0, lookups: 0, released: 0 });
    expect(await stockOf("YOUNG")).toMatchObject({ available: 2, reserved: 1, holds: { "young-1": 1 } });
    expect(await early.sweepOnce()).toMatchObject({ released: 1 });
    expect(await stockOf("YOUNG")).toMatchObject({ available: 3, reserved: 0, holds: {} });
  });

  it("many stale holds over several SKUs are released in one sweep, and each is counted", async () => {
    await addSku("MANY-A", 30);
    await addSku("MANY-B", 30);
    const orders = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    for (const orderId of orders) {
      await recordDecision(orderId, "REJECTED");
      await takeHold(one.store, "MANY-A", orderId, 1);
      await takeHold(one.store, "MANY-B", orderId, 1);
    }
    const sweep = sweeper(two.store);
    await sweep.sweepOnce();
    expect(await sweep.sweepOnce()).toMatchObject({ holds: 40, suspects: 20, lookups: 20, released: 40 });
    expect(sweep.released).toHaveLength(40);
    expect(await stockOf("MANY-A")).toMatchObject({ available: 30, reserved: 0, holds: {} });
    expect(await stockOf("MANY-B")).toMatchObject({ available: 30, reserved: 0, holds: {} });
  });

  it("two replicas sweeping at once release the hold once between them", async () => {
    await addSku("BOTH", 4);
    await recordDecision("both-1", "REJECTED");
    // Replica two takes the hold, so its cache holds it: its release may run on a stale read first.
    await takeHold(two.store, "BOTH", "both-1", 3);
    const [a, b] = [sweeper(one.store), sweeper(two.store)];
    await Promise.all([a.sweepOnce(), b.sweepOnce()]);
    const [first, second] = await Promise.all([a.sweepOnce(), b.sweepOnce()]);
    expect((first?.released ?? 0) + (second?.released ?? 0)).toBe(1);
    expect([...a.released, ...b.released]).toEqual([{ sku: "BOTH", orderId: "both-1", units: 3 }]);
    const item = await stockOf("BOTH");
    expect(item).toMatchObject({ available: 4, reserved: 0, holds: {} });
    expect(item && invariantHolds(item)).toBe(true);
  });
});

describe("the hold sweep releases a hold no reservation names", () => {
  it("a message handled again after its order was settled held again and its attempt died: the sweep releases that hold, not the named one", async () => {
    await addSku("AGAIN", 5);
    // The order's reservation names attempt "first" on AGAIN; its payment is still under way on OTHER.
    await addSku("AGAIN-OTHER", 5);
    await takeHold(one.store, "AGAIN-OTHER", "again-1", 1, "first");
    await recordDecision("again-1", "RESERVED", [
      { sku: "AGAIN", holdId: "first" },
      { sku: "AGAIN-OTHER", holdId: "first" },
    ]);
    // AGAIN's hold was already sold; a redelivery (consumer state rolled back) held again and was killed.
    await takeHold(one.store, "AGAIN", "again-1", 1, "second");
    const sweep = sweeper(two.store);
    await sweep.sweepOnce();
    expect(await sweep.sweepOnce()).toMatchObject({ holds: 2, suspects: 1, lookups: 1, released: 1 });
    expect(sweep.released).toEqual([{ sku: "AGAIN", orderId: "again-1", units: 1 }]);
    expect(await stockOf("AGAIN")).toMatchObject({ available: 5, reserved: 0, holds: {} });
    expect(await stockOf("AGAIN-OTHER")).toMatchObject({ available: 4, reserved: 1, holds: { "again-1": 1 } });
    expect(warnings).toEqual([expect.objectContaining({ orderId: "again-1", sku: "AGAIN", holdId: "second" })]);
    // The named hold is remembered: not looked up again while it stays.
    expect(await sweep.sweepOnce()).toMatchObject({ holds: 1, suspects: 0, lookups: 0, released: 0 });
  });
});

describe("the hold sweep leaves every other hold alone", () => {
  it.each<[string, ReservationStatus | undefined]>([
    ["RESERVED naming it (payment under way)", "RESERVED"],
    ["not decided yet (the decision is in flight)", undefined],
  ])("a hold whose order is %s stays through three sweeps", async (_case, status) => {
    const orderId = `kept-${status ?? "missing"}`;
    await addSku("KEPT", 6);
    if (status) await recordDecision(orderId, status, [{ sku: "KEPT", holdId: "named" }]);
    await takeHold(one.store, "KEPT", orderId, 2, "named");
    const sweep = sweeper(two.store);
    for (let i = 0; i < 3; i++) expect(await sweep.sweepOnce()).toMatchObject({ holds: 1, released: 0 });
    expect(await stockOf("KEPT")).toMatchObject({ available: 4, reserved: 2, holds: { [orderId]: 2 } });
    expect(sweep.released).toEqual([]);
  });

  it("an order found RESERVED is not looked up again while its hold stays; a missing decision is asked each sweep, and released once REJECTED is recorded", async () => {
    await addSku("ASKED", 6);
    await reserveOrder(one, { orderId: "asked-reserved", customerId: "c-1", lines: [{ sku: "ASKED", quantity: 1 }] });
    await takeHold(one.store, "ASKED", "asked-missing", 1);
    const sweep = sweeper(two.store);
    await sweep.sweepOnce();
    expect(await sweep.sweepOnce()).toMatchObject({ holds: 2, suspects: 2, lookups: 2, released: 0 });
    expect(await sweep.sweepOnce()).toMatchObject({ holds: 2, suspects: 1, lookups: 1, released: 0 });
    await recordDecision("asked-missing", "REJECTED");
    expect(await sweep.sweepOnce()).toMatchObject({ suspects: 1, lookups: 1, released: 1 });
    expect(await stockOf("ASKED")).toMatchObject({ available: 5, reserved: 1, holds: { "asked-reserved": 1 } });
  });

  it("reservation lookups per sweep stay within the cap, taken in turns so no suspect is starved", async () => {
    await addSku("CAPPED", 10);
    for (const orderId of ["cap-a", "cap-b", "cap-c", "cap-d"]) await takeHold(one.store, "CAPPED", orderId, 1);
    await recordDecision("cap-d", "REJECTED");
    const sweep = sweeper(two.store, { maxLookups: 2 });
    await sweep.sweepOnce();
    // a, b and c have no decision yet and are asked every turn; d sorts last and still gets its turn.
    expect(await sweep.sweepOnce()).toMatchObject({ suspects: 4, lookups: 2, released: 0 });
    expect(await sweep.sweepOnce()).toMatchObject({ suspects: 4, lookups: 2, released: 1 });
    expect(sweep.released).toEqual([{ sku: "CAPPED", orderId: "cap-d", units: 1 }]);
    expect(await stockOf("CAPPED")).toMatchObject({ available: 7, reserved: 3 });
  });
});

describe("the sweep in the inventory service", () => {
  it("runs every HOLD_SWEEP_INTERVAL_MS once started, counts its releases on /metrics and stops on close", async () => {
    await addSku("SERVICE", 2);
    await recordDecision("service-1", "REJECTED");
    await takeHold(one.store, "SERVICE", "service-1", 2);
    const config = loadInventoryConfig({ NATS_URL: pair.nats.url, PORT: "0", SEED_CATALOG: "false", HOLD_SWEEP_INTERVAL_MS: "50" });
    const app = await buildApp({ config, logger });
    try {
      await app.start({ listen: false });
      await waitFor(async () => (await stockOf("SERVICE"))?.reserved === 0, { what: "the stale hold released" });
      const metrics = await app.http.inject({ method: "GET", url: "/metrics" });
      expect(metrics.body).toMatch(/^inventory_stale_holds_released_total\{service="inventory"\} 1$/m);
    } finally {
      await app.close();
    }
    expect(await stockOf("SERVICE")).toMatchObject({ available: 2, reserved: 0, holds: {} });
  });

  it("HOLD_SWEEP_INTERVAL_MS defaults to 60 s, 0 turns the sweep off, a negative value stops the start", () => {
    expect(loadInventoryConfig({}).HOLD_SWEEP_INTERVAL_MS).toBe(60_000);
    expect(loadInventoryConfig({ HOLD_SWEEP_INTERVAL_MS: "0" }).HOLD_SWEEP_INTERVAL_MS).toBe(0);
    expect(() => loadInventoryConfig({ HOLD_SWEEP_INTERVAL_MS: "-1" })).toThrow(ConfigError);
  });
});
