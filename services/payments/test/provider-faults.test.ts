import { create } from "@bufbuild/protobuf";
import {
  CONSUMERS,
  EVENTS,
  eventId,
  eventMeta,
  eventSubject,
  FailureReason,
  InventoryReservedSchema,
  PaymentFailedSchema,
} from "@shop/contracts";
import { type ContractRecorder, type NatsServerHandle, recordContract, startNatsServer, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../src/adapters/fake-provider.js";
import type { PaymentView } from "../src/adapters/payment-record.js";
import { buildApp, type PaymentsApp } from "../src/app.js";
import { loadPaymentsConfig } from "../src/config.js";
import { idempotencyKeyFor } from "../src/domain/payment.js";

const ADMIN_TOKEN = "a-test-admin-token-0123456789";
let nats: NatsServerHandle;
let app: PaymentsApp;
let contract: ContractRecorder;

beforeAll(async () => {
  nats = await startNatsServer();
  const config = loadPaymentsConfig({
    NATS_URL: nats.url,
    PORT: "0",
    ADMIN_TOKEN,
    BREAKER_VOLUME_THRESHOLD: "2",
    BREAKER_RESET_TIMEOUT_MS: "300",
    PAYMENT_DEADLINE_MS: "1500",
    PROVIDER_TIMEOUT_MS: "1000",
  });
  app = await buildApp({ config, logger: pino({ level: "silent" }) });
  contract = recordContract(app.http);
  await app.start({ listen: false });
});
afterEach(async () => {
  await setFaults({ failureRate: 0, outage: false, lostResponseRate: 0, latencyMs: 0 });
});
afterAll(async () => {
  await app?.close();
  await nats?.stop();
});

async function setFaults(faults: Record<string, unknown>, token = ADMIN_TOKEN) {
  return app.http.inject({ method: "PUT", url: "/admin/provider/faults", payload: faults, headers: { authorization: `Bearer ${token}` } });
}

let sequence = 0;
async function reserve(customerId = "c-1", amountMinor = 2_500n, orderId = `faults-${++sequence}-${Date.now()}`): Promise<string> {
  const money = (amount: bigint) => ({ amountMinor: amount, currency: "EUR" });
  const event = create(InventoryReservedSchema, {
    meta: eventMeta(EVENTS.inventoryReserved, orderId),
    customerId,
    lines: [{ sku: "MUG-RED", quantity: 2, unitPrice: money(amountMinor / 2n) }],
    total: money(amountMinor),
  });
  await app.bus.publish(EVENTS.inventoryReserved, event, { msgId: `inventory.reserved:${orderId}` });
  return orderId;
}

async function payment(orderId: string): Promise<PaymentView | undefined> {
  const res = await app.http.inject({ method: "GET", url: `/payments/${orderId}` });
  return res.statusCode === 200 ? (res.json() as PaymentView) : undefined;
}

async function settled(orderId: string): Promise<PaymentView> {
  return waitFor(
    async () => {
      const found = await payment(orderId);
      return found && found.status !== "PENDING" ? found : undefined;
    },
    { what: `payment of ${orderId} settled`, timeoutMs: 20_000 },
  );
}

/** The provider's record of the order's key once `ready` holds for it. */
async function ledgerOf(orderId: string, ready: (entry: LedgerEntry) => boolean) {
  return waitFor(
    async () => {
      const entry = (await app.store.ledger.get(idempotencyKeyFor(orderId)))?.value;
      return entry && ready(entry) ? entry : undefined;
    },
    { what: `ledger entry of ${orderId}`, timeoutMs: 20_000 },
  );
}

/** Nothing left for payments to do: every delivered message acked. */
async function paymentsIdle() {
  await waitFor(
    async () => {
      const info = await app.bus.jsm.consumers.info("INVENTORY", CONSUMERS.paymentsOnInventoryDecided.durable);
      return info.num_pending + info.num_ack_pending === 0;
    },
    { what: "payments to ack every message", timeoutMs: 20_000 },
  );
}

/** Every payment outcome stored for the order (the subject fence allows one). */
async function outcomeEvents(orderId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const stored of app.bus.events().scan("PAYMENTS", eventSubject(EVENTS.paymentSucceeded, orderId)))
    names.push(stored.event.name);
  return names;
}

describe("admin API of the simulated provider", () => {
  it("answers 401 without a token, 403 with a wrong one, and changes faults with the right one", async () => {
    const anonymous = await app.http.inject({ method: "GET", url: "/admin/provider/faults" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(anonymous.headers["content-type"]).toMatch(/problem\+json/);
    expect((await setFaults({ outage: true }, "not-the-token")).statusCode).toBe(403);
    expect((await setFaults({ latencyMs: 5 })).json()).toMatchObject({ latencyMs: 5, outage: false });
    expect((await setFaults({ failureRate: 2 })).statusCode).toBe(400);
    expect((await setFaults({ charge: "free" })).statusCode).toBe(400);
  });
});

describe("payments under provider faults", () => {
  it("a charge whose response is lost is retried with the same key: one charge, SUCCEEDED", async () => {
    await setFaults({ lostResponseRate: 1 });
    const orderId = await reserve();
    const shown = await settled(orderId);
    // The provider recorded the first call but its answer was lost: only the retry with the same key could learn it.
    const ledger = await app.store.ledger.get(idempotencyKeyFor(orderId));
    expect(ledger?.value.result).toMatchObject({ outcome: "succeeded", chargeId: shown.chargeId });
    expect(shown).toEqual({
      orderId,
      status: "SUCCEEDED",
      amountMinor: 2_500,
      currency: "EUR",
      chargeId: expect.stringMatching(/^ch_/),
      reservedAt: expect.any(String),
      settledAt: expect.any(String),
    });
    expect(await outcomeEvents(orderId)).toEqual(["payments.succeeded.v1"]);
  });

  it("while the breaker is open the consumer naks with a delay, burns no deliveries into the DLQ, and resumes when the provider recovers", async () => {
    await setFaults({ outage: true });
    const orderIds = await Promise.all([reserve(), reserve(), reserve()]);
    await waitFor(
      async () =>
        (await app.http.inject({ method: "GET", url: "/metrics" })).body.includes(
          'circuit_breaker_state{breaker="payment-provider",service="payments"} 2',
        ),
      {
        what: "the breaker to open",
      },
    );
    await setFaults({ outage: false });
    for (const orderId of orderIds) expect((await settled(orderId)).status).toBe("SUCCEEDED");
    expect(await app.bus.deadLetters(CONSUMERS.paymentsOnInventoryDecided.durable)).toEqual([]);
    const info = await app.bus.jsm.consumers.info("INVENTORY", CONSUMERS.paymentsOnInventoryDecided.durable);
    expect(info.config.max_deliver).toBe(-1);
  });

  it("past the deadline with the provider down, the payment fails at once and the key is voided once the provider answers", async () => {
    await setFaults({ outage: true });
    const orderId = await reserve();
    const failed = await settled(orderId);
    expect(failed).toMatchObject({
      status: "FAILED",
      failure: { code: "PROVIDER_UNAVAILABLE", reason: expect.stringMatching(/key is voided/) },
    });
    // The provider is still down: the void is retried (the message stays unacknowledged) until it answers.
    expect(await app.store.ledger.get(idempotencyKeyFor(orderId))).toBeNull();
    await setFaults({ outage: false });
    // The key is tombstoned: a late charge with it is refused.
    const entry = await ledgerOf(orderId, (e) => e.voidedAt !== undefined);
    expect(entry.result).toBeUndefined();
    await paymentsIdle();
    expect(await outcomeEvents(orderId)).toEqual(["payments.failed.v1"]);
  });

  it("a charge that went through but whose answer never arrived before the deadline is refunded by the void", async () => {
    await setFaults({ outage: true });
    const orderId = `faults-lost-${Date.now()}`;
    // The provider's side of "charged, response lost": a charge under the order's key that payments never heard of.
    const request = { idempotencyKey: idempotencyKeyFor(orderId), orderId, customerId: "c-1", amountMinor: 2_500, currency: "EUR" };
    await app.store.ledger.create(request.idempotencyKey, {
      request,
      result: { outcome: "succeeded", chargeId: "ch_lost" },
      at: new Date().toISOString(),
    });
    await reserve("c-1", 2_500n, orderId);
    expect((await settled(orderId)).failure?.code).toBe("PROVIDER_UNAVAILABLE");
    await setFaults({ outage: false });
    expect(await ledgerOf(orderId, (e) => e.voidedAt !== undefined)).toMatchObject({ result: { outcome: "succeeded" } });
    await paymentsIdle();
    expect(await outcomeEvents(orderId)).toEqual(["payments.failed.v1"]);
  });

  it("a charge that lands after another delivery gave the payment up is refunded, though that delivery died before voiding", async () => {
    const orderId = `faults-late-${Date.now()}`;
    // What a replica that gave up and was killed before its void leaves behind: the failure alone.
    const abandoned = create(PaymentFailedSchema, {
      meta: eventMeta(EVENTS.paymentFailed, orderId),
      amount: { amountMinor: 2_500n, currency: "EUR" },
      reason: FailureReason.PROVIDER_UNAVAILABLE,
      detail: "given up",
    });
    await app.bus.publish(EVENTS.paymentFailed, abandoned, { msgId: eventId(EVENTS.paymentFailed, orderId), firstOfSubject: true });
    // A first delivery charges; its success is refused by the fence, and the stored give-up is honoured.
    await reserve("c-1", 2_500n, orderId);
    expect(await ledgerOf(orderId, (e) => e.voidedAt !== undefined)).toMatchObject({ result: { outcome: "succeeded" } });
    await paymentsIdle();
    expect(await outcomeEvents(orderId)).toEqual(["payments.failed.v1"]);
    expect(await payment(orderId)).toMatchObject({ status: "FAILED", failure: { code: "PROVIDER_UNAVAILABLE" } });
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await contract.verify()).toBeGreaterThan(0);
  });
});
