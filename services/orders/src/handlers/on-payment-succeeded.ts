import type { PaymentSucceeded } from "@shop/contracts";
import { required, requireOrderId } from "@shop/eventbus";
import { type AdvanceOrderDeps, advanceOrder } from "../use-cases/advance-order.js";

export function onPaymentSucceeded(deps: AdvanceOrderDeps) {
  return async (event: PaymentSucceeded): Promise<void> => {
    const amount = required(event.amount, "amount");
    await advanceOrder(deps, requireOrderId(event), { type: "paid", totalMinor: Number(amount.amountMinor), currency: amount.currency });
  };
}
