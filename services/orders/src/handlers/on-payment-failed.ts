import type { PaymentFailed } from "@shop/contracts";
import { requireOrderId } from "@shop/eventbus";
import { type AdvanceOrderDeps, advanceOrder } from "../use-cases/advance-order.js";

export function onPaymentFailed(deps: AdvanceOrderDeps) {
  return async (event: PaymentFailed): Promise<void> => {
    await advanceOrder(deps, requireOrderId(event), { type: "payment-failed", reason: `payment failed: ${event.detail || "declined"}` });
  };
}
