import { describe, expect, it } from "vitest";
import { commit, hold, holdIdOf, invariantHolds, newStockItem, release, setAvailable } from "./stock.js";

describe("stock holds", () => {
  const mug = newStockItem("MUG", "Mug", 1200, "EUR", 5);

  it("a hold moves units from available to reserved under its attempt id and keeps the invariant", () => {
    const held = hold(mug, "o-1", 2, "a1");
    expect(held).toMatchObject({
      ok: true,
      holdId: "a1",
      item: { available: 3, reserved: 2, holds: { "o-1": 2 }, holdIds: { "o-1": "a1" } },
    });
    expect(held.ok && held.item && invariantHolds(held.item)).toBe(true);
  });

  it("an order holds once: another attempt re-finds the hold, changes nothing and learns the first attempt's id", () => {
    const first = hold(mug, "o-1", 2, "a1");
    if (!first.ok || !first.item) throw new Error("expected a hold");
    expect(hold(first.item, "o-1", 2, "a2")).toEqual({ ok: true, item: null, holdId: "a1" });
  });

  it("refuses a hold larger than what is available", () => {
    expect(hold(mug, "o-1", 6, "a1")).toEqual({ ok: false, reason: "insufficient" });
  });

  it("commit sells the named hold once; release returns it once", () => {
    const held = hold(mug, "o-1", 2, "a1");
    if (!held.ok || !held.item) throw new Error("expected a hold");
    const sold = commit(held.item, "o-1", "a1");
    expect(sold).toMatchObject({ available: 3, reserved: 0, sold: 2, holds: {}, holdIds: {} });
    expect(sold && commit(sold, "o-1", "a1")).toBeNull();
    const released = release(held.item, "o-1", "a1");
    expect(released).toMatchObject({ available: 5, reserved: 0, sold: 0 });
    expect(released && release(released, "o-1")).toBeNull();
    expect(sold && invariantHolds(sold) && released && invariantHolds(released)).toBe(true);
  });

  it("a hold taken by another attempt is neither sold nor released in that attempt's name; release without an id takes any", () => {
    const held = hold(mug, "o-1", 2, "again");
    if (!held.ok || !held.item) throw new Error("expected a hold");
    expect(commit(held.item, "o-1", "a1")).toBeNull();
    expect(release(held.item, "o-1", "a1")).toBeNull();
    expect(release(held.item, "o-1")).toMatchObject({ available: 5, reserved: 0, holds: {} });
  });

  it('a hold of an earlier version (no attempt id) counts as attempt ""', () => {
    const legacy = { ...mug, available: 3, reserved: 2, holds: { "o-1": 2 }, holdIds: undefined };
    expect(holdIdOf(legacy, "o-1")).toBe("");
    expect(commit(legacy, "o-1", "")).toMatchObject({ reserved: 0, sold: 2, holds: {} });
  });
});

describe("operator stock count", () => {
  it("sets available and moves initial with it, keeping reserved, sold and the invariant", () => {
    const held = hold(newStockItem("MUG", "Mug", 1200, "EUR", 5), "o-1", 2, "a1");
    if (!held.ok || !held.item) throw new Error("expected a hold");
    const counted = setAvailable(held.item, 40);
    expect(counted).toMatchObject({ available: 40, reserved: 2, sold: 0, initial: 42 });
    expect(invariantHolds(counted)).toBe(true);
    expect(() => setAvailable(held.item as never, -1)).toThrow(RangeError);
  });
});
