import {
  EVENTS,
  eventSubject,
  FailureReason,
  type InventoryReserved,
  type PaymentFailed,
  type PaymentSucceeded,
  STREAMS,
} from "@shop/contracts";
import type { EventReader } from "@shop/eventbus";
import type { FailureCode, PaymentOutcome, PaymentStatus } from "../domain/payment.js";

const FAILURE_CODES: Record<FailureReason, FailureCode> = {
  [FailureReason.UNSPECIFIED]: "DECLINED",
  [FailureReason.DECLINED]: "DECLINED",
  [FailureReason.INSUFFICIENT_FUNDS]: "INSUFFICIENT_FUNDS",
  [FailureReason.PROVIDER_UNAVAILABLE]: "PROVIDER_UNAVAILABLE",
};

export interface RecordedOutcome {
  outcome: PaymentOutcome;
  amountMinor: number;
  currency: string;
  storedAtMs: number;
}

/** The order's stored payment outcome (its event on `payments.settled.v1.<orderId>`), or null. */
export async function readOutcome(events: EventReader, orderId: string): Promise<RecordedOutcome | null> {
  const stored = await events.last(STREAMS.payments.name, eventSubject(EVENTS.paymentSucceeded, orderId));
  if (!stored) return null;
  const message = stored.message as PaymentSucceeded | PaymentFailed;
  const outcome: PaymentOutcome =
    message.$typeName === "shop.payments.v1.PaymentSucceeded"
      ? { status: "SUCCEEDED", chargeId: message.providerChargeId }
      : { status: "FAILED", failure: { code: FAILURE_CODES[message.reason] ?? "DECLINED", reason: message.detail } };
  return {
    outcome,
    amountMinor: Number(message.amount?.amountMinor ?? 0n),
    currency: message.amount?.currency ?? "",
    storedAtMs: stored.storedAtMs,
  };
}

/** An order's payment as `GET /payments/:orderId` shows it. */
export interface PaymentView {
  orderId: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: string;
  chargeId?: string;
  failure?: { code: FailureCode; reason: string };
  /** When stock was reserved: the payment started, and its deadline counts from here. */
  reservedAt?: string;
  /** When the outcome was stored. */
  settledAt?: string;
}

/**
 * The payment from the streams: its outcome when stored, else PENDING while the order's stock is
 * reserved; null when inventory has not reserved the order (nothing to pay yet, or rejected).
 */
export async function readPayment(events: EventReader, orderId: string): Promise<PaymentView | null> {
  const [recorded, decision] = await Promise.all([
    readOutcome(events, orderId),
    events.last(STREAMS.inventory.name, eventSubject(EVENTS.inventoryReserved, orderId)),
  ]);
  const reserved = decision?.event === EVENTS.inventoryReserved ? decision : null;
  const reservedAt = reserved ? { reservedAt: new Date(reserved.storedAtMs).toISOString() } : {};
  if (recorded) {
    const { outcome, amountMinor, currency, storedAtMs } = recorded;
    return { orderId, amountMinor, currency, ...outcome, ...reservedAt, settledAt: new Date(storedAtMs).toISOString() };
  }
  if (!reserved) return null;
  const total = (reserved.message as InventoryReserved).total;
  return { orderId, status: "PENDING", amountMinor: Number(total?.amountMinor ?? 0n), currency: total?.currency ?? "", ...reservedAt };
}
