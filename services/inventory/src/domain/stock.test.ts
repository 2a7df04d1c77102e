import { describe, expect, it } from "vitest";
import { commit, hold, holdIdOf, invariantHolds, newStockItem, release, type StockItem, setAvailable } from "./stock.js";

/** A fresh item per use: the functions change the item they are given. */
const mug = () => newStockItem("MUG", "Mug", 1200, "EUR", 5);

function held(orderId: string, quantity: number, holdId: string): StockItem {
  const result = hold(mug(), orderId, quantity, holdId);
  if (!result.ok || !result.item) throw new Error("expected a hold");
  return result.item;
}

describe("stock holds", () => {
  it("a hold moves units from available to reserved under its attempt id and keeps the invariant", () => {
    const item = mug();
    const result = hold(item, "o-1", 2, "a1");
    expect(result).toMatchObject({
      ok: true,
      holdId: "a1",
      item: { available: 3, reserved: 2, holds: { "o-1": 2 }, holdIds: { "o-1": "a1" } },
    });
    // Changed in place: the item given is the item returned.
    expect(result.ok && result.item).toBe(item);
    expect(invariantHolds(item)).toBe(true);
  });

  it("an order holds once: another attempt re-finds the hold, changes nothing and learns the first attempt's id", () => {
    const item = held("o-1", 2, "a1");
    const before = structuredClone(item);
    expect(hold(item, "o-1", 2, "a2")).toEqual({ ok: true, item: null, holdId: "a1" });
    expect(item).toEqual(before);
  });

  it("refuses a hold larger than what is available and changes nothing", () => {
    const item = mug();
    expect(hold(item, "o-1", 6, "a1")).toEqual({ ok: false, reason: "insufficient" });
    expect(item).toEqual(mug());
  });

  it("commit sells the named hold once; release returns it once", () => {
    const sold = commit(held("o-1", 2, "a1"), "o-1", "a1");
    expect(sold).toMatchObject({ available: 3, reserved: 0, sold: 2, holds: {}, holdIds: {} });
    expect(sold && commit(sold, "o-1", "a1")).toBeNull();
    const released = release(held("o-1", 2, "a1"), "o-1", "a1");
    expect(released).toMatchObject({ available: 5, reserved: 0, sold: 0, holds: {}, holdIds: {} });
    expect(released && release(released, "o-1")).toBeNull();
    expect(sold && invariantHolds(sold) && released && invariantHolds(released)).toBe(true);
  });

  it("a hold taken by another attempt is neither sold nor released in that attempt's name; release without an id takes any", () => {
    const item = held("o-1", 2, "again");
    const before = structuredClone(item);
    expect(commit(item, "o-1", "a1")).toBeNull();
    expect(release(item, "o-1", "a1")).toBeNull();
    expect(item).toEqual(before);
    expect(release(item, "o-1")).toMatchObject({ available: 5, reserved: 0, holds: {} });
  });

  it('a hold of an earlier version (no attempt id) counts as attempt ""', () => {
    const legacy = { ...mug(), available: 3, reserved: 2, holds: { "o-1": 2 }, holdIds: undefined };
    expect(holdIdOf(legacy, "o-1")).toBe("");
    expect(commit(legacy, "o-1", "")).toMatchObject({ reserved: 0, sold: 2, holds: {} });
  });

  it("an order id that names an Object.prototype member is an order like any other", () => {
    const item = mug();
    expect(holdIdOf(item, "constructor")).toBeUndefined();
    expect(release(item, "toString")).toBeNull();
    expect(hold(item, "constructor", 1, "a1")).toMatchObject({ ok: true, holdId: "a1", item: { holds: { constructor: 1 } } });
    expect(commit(item, "constructor", "a1")).toMatchObject({ available: 4, reserved: 0, sold: 1, holds: {} });
  });
});

describe("operator stock count", () => {
  it("sets available and moves initial with it, keeping reserved, sold and the invariant", () => {
    const counted = setAvailable(held("o-1", 2, "a1"), 40);
    expect(counted).toMatchObject({ available: 40, reserved: 2, sold: 0, initial: 42 });
    expect(invariantHolds(counted)).toBe(true);
    const before = structuredClone(counted);
    expect(() => setAvailable(counted, -1)).toThrow(RangeError);
    expect(counted).toEqual(before);
  });
});
