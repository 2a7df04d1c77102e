import { BUCKETS } from "@shop/contracts";
import type { Bus, JsonKv } from "@shop/eventbus";
import type { Payment } from "../domain/payment.js";
import type { LedgerEntry } from "./fake-provider.js";

export interface PaymentStore {
  payments: JsonKv<Payment>;
  /** The simulated provider's own records (a real PSP keeps these on its side). */
  ledger: JsonKv<LedgerEntry>;
}

/**
 * `providerBus` is the simulated provider's own connection: its ledger stands for a PSP's storage,
 * outside this system, so its broker traffic is not counted as payments' (the benchmark reports it apart).
 */
export async function createPaymentStore(bus: Bus, providerBus: Bus = bus): Promise<PaymentStore> {
  return { payments: await bus.kv<Payment>(BUCKETS.payments), ledger: await providerBus.kv<LedgerEntry>(BUCKETS.providerLedger) };
}
