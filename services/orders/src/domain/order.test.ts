import { describe, expect, it } from "vitest";
import { applyOrderEvent, duplicateSkus, newOrder, type Order, type OrderEvent } from "./order.js";

const at = "2026-01-01T00:00:00.000Z";
const pending = (): Order => newOrder("o-1", "c-1", [{ sku: "A", quantity: 2 }], at);
const reserved: OrderEvent = {
  type: "reserved",
  items: [{ sku: "A", quantity: 2, unitPriceMinor: 500 }],
  totalMinor: 1000,
  currency: "EUR",
};

describe("order transitions", () => {
  it("a reservation prices the order and moves it to RESERVED", () => {
    expect(applyOrderEvent(pending(), reserved, at)).toMatchObject({ status: "RESERVED", totalMinor: 1000, currency: "EUR" });
  });

  it("payment after reservation confirms; payment failure cancels with the reason", () => {
    const order = applyOrderEvent(pending(), reserved, at) as Order;
    expect(applyOrderEvent(order, { type: "paid", totalMinor: 1000, currency: "EUR" }, at)?.status).toBe("CONFIRMED");
    expect(applyOrderEvent(order, { type: "payment-failed", reason: "declined" }, at)).toMatchObject({
      status: "CANCELLED",
      reason: "declined",
    });
  });

  it("a duplicate event changes nothing", () => {
    const order = applyOrderEvent(pending(), reserved, at) as Order;
    expect(applyOrderEvent(order, reserved, at)).toBeNull();
  });

  it("terminal states absorb every later event", () => {
    const rejected = applyOrderEvent(pending(), { type: "rejected", reason: "out of stock" }, at) as Order;
    expect(rejected.status).toBe("REJECTED");
    expect(applyOrderEvent(rejected, reserved, at)).toBeNull();
    expect(applyOrderEvent(rejected, { type: "paid", totalMinor: 1, currency: "EUR" }, at)).toBeNull();
  });

  it("a payment that overtakes the reservation confirms, and the late reservation only fills in prices", () => {
    const confirmed = applyOrderEvent(pending(), { type: "paid", totalMinor: 1000, currency: "EUR" }, at) as Order;
    expect(confirmed.status).toBe("CONFIRMED");
    expect(confirmed.totalMinor).toBe(1000);
    const priced = applyOrderEvent(confirmed, reserved, at);
    expect(priced).toMatchObject({ status: "CONFIRMED", totalMinor: 1000, items: [{ sku: "A", unitPriceMinor: 500 }] });
    expect(priced && applyOrderEvent(priced, reserved, at)).toBeNull();
  });

  it("finds SKUs that appear on more than one line", () => {
    expect(duplicateSkus([{ sku: "A" }, { sku: "B" }, { sku: "A" }])).toEqual(["A"]);
    expect(duplicateSkus([{ sku: "A" }, { sku: "B" }])).toEqual([]);
  });
});
