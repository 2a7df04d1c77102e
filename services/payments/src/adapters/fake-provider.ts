import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { type JsonKv, RetryableError } from "@shop/eventbus";
import { type ChargeResult, type DeclineRules, decideCharge } from "../domain/payment.js";

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
}

/** The provider's record of one idempotency key: a charge or decline, possibly voided later. */
export interface LedgerEntry {
  request: ChargeRequest;
  /** Absent when the key was voided before any charge reached the provider (a tombstone). */
  result?: ChargeResult;
  at: string;
  voidedAt?: string;
}

/** Faults the simulated provider injects; changeable at run time through the admin API. */
export interface ProviderFaults {
  /** Share of calls that fail before reaching the ledger (0-1). */
  failureRate: number;
  /** Latency added to every call. */
  latencyMs: number;
  /** Every call fails. */
  outage: boolean;
  /** Share of charges that are recorded but whose response is lost (0-1): the caller sees an error. */
  lostResponseRate: number;
}

export interface ProviderSettings extends DeclineRules, ProviderFaults {}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Voids the key: refunds a charge made under it, and refuses any later charge with it. */
  void(request: ChargeRequest): Promise<"refunded" | "nothing-charged">;
}

export class ProviderUnavailableError extends RetryableError {
  constructor(detail = "payment provider unavailable") {
    super("PROVIDER_UNAVAILABLE", detail);
  }
}

/**
 * A simulated PSP, on purpose: deterministic declines, injectable faults, and idempotency keys
 * honoured like a real provider (same key -> the stored answer, never a second charge).
 * `settings` is read on every call, so faults can be switched while it runs.
 */
export function createFakeProvider(
  ledger: JsonKv<LedgerEntry>,
  settings: ProviderSettings,
  random: () => number = Math.random,
): PaymentProvider {
  const enter = async () => {
    if (settings.latencyMs > 0) await delay(settings.latencyMs);
    if (settings.outage) throw new ProviderUnavailableError("payment provider outage");
    if (random() < settings.failureRate) throw new ProviderUnavailableError();
  };
  return {
    charge: async (request) => {
      await enter();
      const decision = decideCharge(request.customerId, request.amountMinor, settings);
      const result: ChargeResult = decision.outcome === "approve" ? { outcome: "succeeded", chargeId: `ch_${randomUUID()}` } : decision;
      if (!(await ledger.create(request.idempotencyKey, { request, result, at: new Date().toISOString() }))) {
        // A retry, or a concurrent call with the same key: answer what is stored.
        const stored = (await ledger.get(request.idempotencyKey))?.value;
        if (!stored) throw new ProviderUnavailableError();
        return answer(stored);
      }
      if (random() < settings.lostResponseRate) throw new ProviderUnavailableError("charge recorded but the response was lost");
      return result;
    },
    void: async (request) => {
      await enter();
      const at = new Date().toISOString();
      const stored = await ledger.update(request.idempotencyKey, (current) => {
        if (current?.voidedAt) return null;
        return current ? { ...current, voidedAt: at } : { request, at, voidedAt: at };
      });
      return stored?.result?.outcome === "succeeded" ? "refunded" : "nothing-charged";
    },
  };
}

/** A voided key answers every later charge with a decline, as a PSP refuses a cancelled intent. */
function answer(entry: LedgerEntry): ChargeResult {
  if (entry.voidedAt || !entry.result) return { outcome: "declined", code: "DECLINED", reason: "payment voided" };
  return entry.result;
}
