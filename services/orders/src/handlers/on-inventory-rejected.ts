import { type InventoryRejected, RejectionReason } from "@shop/contracts";
import { requireOrderId } from "@shop/eventbus";
import { type AdvanceOrderDeps, advanceOrder } from "../use-cases/advance-order.js";

const REASONS: Record<RejectionReason, string> = {
  [RejectionReason.UNSPECIFIED]: "rejected by inventory",
  [RejectionReason.OUT_OF_STOCK]: "out of stock",
  [RejectionReason.UNKNOWN_SKU]: "unknown SKU",
  [RejectionReason.MIXED_CURRENCY]: "items priced in different currencies",
};

export function onInventoryRejected(deps: AdvanceOrderDeps) {
  return async (event: InventoryRejected): Promise<void> => {
    const skus = event.skus.length > 0 ? `: ${event.skus.join(", ")}` : "";
    await advanceOrder(deps, requireOrderId(event), { type: "rejected", reason: `${REASONS[event.reason] ?? REASONS[0]}${skus}` });
  };
}
