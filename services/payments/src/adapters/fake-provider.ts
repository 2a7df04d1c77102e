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

export interface LedgerEntry {
  request: ChargeRequest;
  result: ChargeResult;
  at: string;
}

export interface ProviderSettings extends DeclineRules {
  failureRate: number;
  latencyMs: number;
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

export class ProviderUnavailableError extends RetryableError {
  constructor() {
    super("PROVIDER_UNAVAILABLE", "payment provider unavailable");
  }
}

/**
 * A simulated PSP, on purpose: deterministic declines, configurable failures and latency, and
 * idempotency keys honoured like a real provider (same key -> the stored answer, never a second charge).
 */
export function createFakeProvider(
  ledger: JsonKv<LedgerEntry>,
  settings: ProviderSettings,
  random: () => number = Math.random,
): PaymentProvider {
  return {
    charge: async (request) => {
      if (settings.latencyMs > 0) await delay(settings.latencyMs);
      if (random() < settings.failureRate) throw new ProviderUnavailableError();
      const previous = await ledger.get(request.idempotencyKey);
      if (previous) return previous.value.result;
      const decision = decideCharge(request.customerId, request.amountMinor, settings);
      const result: ChargeResult = decision.outcome === "approve" ? { outcome: "succeeded", chargeId: `ch_${randomUUID()}` } : decision;
      if (await ledger.create(request.idempotencyKey, { request, result, at: new Date().toISOString() })) return result;
      // A concurrent call with the same key won: answer what it stored.
      const stored = await ledger.get(request.idempotencyKey);
      if (!stored) throw new ProviderUnavailableError();
      return stored.value.result;
    },
  };
}
