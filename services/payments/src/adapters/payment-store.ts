import { BUCKETS } from "@shop/contracts";
import type { Bus, EventReader, JsonKv } from "@shop/eventbus";
import type { LedgerEntry } from "./fake-provider.js";

export interface PaymentStore {
  /** The payments' record: their outcome events (and the reservations they start from). */
  events: EventReader;
  /** The simulated provider's own records (a real PSP keeps these on its side). */
  ledger: JsonKv<LedgerEntry>;
}

/**
 * `providerBus` is the simulated provider's own connection: its ledger stands for a PSP's storage,
 * outside this system, so its broker traffic is not counted as payments' (the benchmark reports it apart).
 */
export async function createPaymentStore(bus: Bus, providerBus: Bus = bus): Promise<PaymentStore> {
  return { events: bus.events(), ledger: await providerBus.kv<LedgerEntry>(BUCKETS.providerLedger) };
}
