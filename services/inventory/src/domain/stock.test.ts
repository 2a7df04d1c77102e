import { describe, expect, it } from "vitest";
import { commit, hold, invariantHolds, newStockItem, release, setAvailable } from "./stock.js";

describe("stock holds", () => {
  const mug = newStockItem("MUG", "Mug", 1200, "EUR", 5);

  it("a hold moves units from available to reserved and keeps the invariant", () => {
    const held = hold(mug, "o-1", 2);
    expect(held).toMatchObject({ ok: true, item: { available: 3, reserved: 2, holds: { "o-1": 2 } } });
    expect(held.ok && held.item && invariantHolds(held.item)).toBe(true);
  });

  it("holding twice for the same order changes nothing the second time", () => {
    const first = hold(mug, "o-1", 2);
    if (!first.ok || !first.item) throw new Error("expected a hold");
    expect(hold(first.item, "o-1", 2)).toEqual({ ok: true, item: null });
  });

  it("refuses a hold larger than what is available", () => {
    expect(hold(mug, "o-1", 6)).toEqual({ ok: false, reason: "insufficient" });
  });

  it("commit sells the held units once; release returns them once", () => {
    const held = hold(mug, "o-1", 2);
    if (!held.ok || !held.item) throw new Error("expected a hold");
    const sold = commit(held.item, "o-1");
    expect(sold).toMatchObject({ available: 3, reserved: 0, sold: 2, holds: {} });
    expect(sold && commit(sold, "o-1")).toBeNull();
    const released = release(held.item, "o-1");
    expect(released).toMatchObject({ available: 5, reserved: 0, sold: 0 });
    expect(released && release(released, "o-1")).toBeNull();
    expect(sold && invariantHolds(sold) && released && invariantHolds(released)).toBe(true);
  });
});

describe("operator stock count", () => {
  it("sets available and moves initial with it, keeping reserved, sold and the invariant", () => {
    const held = hold(newStockItem("MUG", "Mug", 1200, "EUR", 5), "o-1", 2);
    if (!held.ok || !held.item) throw new Error("expected a hold");
    const counted = setAvailable(held.item, 40);
    expect(counted).toMatchObject({ available: 40, reserved: 2, sold: 0, initial: 42 });
    expect(invariantHolds(counted)).toBe(true);
    expect(() => setAvailable(held.item as never, -1)).toThrow(RangeError);
  });
});
