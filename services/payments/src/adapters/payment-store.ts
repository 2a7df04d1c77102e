import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv } from "@shop/eventbus";
import type { Payment } from "../domain/payment.js";
import type { LedgerEntry } from "./fake-provider.js";

export interface PaymentStore {
  payments: JsonKv<Payment>;
  /** The simulated provider's own records (a real PSP keeps these on its side). */
  ledger: JsonKv<LedgerEntry>;
}

export async function createPaymentStore(bus: Bus): Promise<PaymentStore> {
  return { payments: await bus.kv<Payment>(BUCKETS.payments), ledger: await bus.kv<LedgerEntry>(BUCKETS.providerLedger) };
}
