import type { InventoryReserved } from "@shop/contracts";
import { required, requireOrderId } from "@shop/eventbus";
import { type AdvanceOrderDeps, advanceOrder } from "../use-cases/advance-order.js";

export function onInventoryReserved(deps: AdvanceOrderDeps) {
  return async (event: InventoryReserved): Promise<void> => {
    const total = required(event.total, "total");
    await advanceOrder(deps, requireOrderId(event), {
      type: "reserved",
      items: event.lines.map((line) => ({
        sku: line.sku,
        quantity: line.quantity,
        unitPriceMinor: Number(line.unitPrice?.amountMinor ?? 0n),
      })),
      totalMinor: Number(total.amountMinor),
      currency: required(total.currency, "total.currency"),
    });
  };
}
