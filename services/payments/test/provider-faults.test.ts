import { create } from "@bufbuild/protobuf";
import { CONSUMERS, EVENTS, eventMeta, eventSubject, InventoryReservedSchema } from "@shop/contracts";
import { type ContractRecorder, type NatsServerHandle, recordContract, startNatsServer, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type PaymentsApp } from "../src/app.js";
import { loadPaymentsConfig } from "../src/config.js";
import { idempotencyKeyFor, type Payment } from "../src/domain/payment.js";

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

async function settled(orderId: string): Promise<Payment> {
  return waitFor(
    async () => {
      const payment = (await app.store.payments.get(orderId))?.value;
      return payment && (payment.status === "SUCCEEDED" || payment.status === "FAILED") ? payment : undefined;
    },
    { what: `payment of ${orderId} settled`, timeoutMs: 20_000 },
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
    const payment = await settled(orderId);
    expect(payment).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastError: "charge recorded but the response was lost" });
    const shown = (await app.http.inject({ method: "GET", url: `/payments/${orderId}` })).json();
    // Every field of the payment but the customer and the provider key: none lost to the response schema.
    const { customerId: _customer, idempotencyKey: _key, ...visible } = payment;
    expect(shown).toEqual(visible);
    expect(shown).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastError: "charge recorded but the response was lost" });
    const ledger = await app.store.ledger.get(payment.idempotencyKey);
    expect(ledger?.value.result).toMatchObject({ outcome: "succeeded", chargeId: payment.chargeId });
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

  it("past the deadline with the provider down, the key is voided once it answers, and the payment fails", async () => {
    await setFaults({ outage: true });
    const orderId = await reserve();
    await waitFor(async () => (await app.store.payments.get(orderId))?.value.status === "VOIDING", {
      what: "VOIDING after the deadline",
      timeoutMs: 10_000,
    });
    await setFaults({ outage: false });
    const payment = await settled(orderId);
    expect(payment).toMatchObject({
      status: "FAILED",
      failure: { code: "PROVIDER_UNAVAILABLE", reason: expect.stringMatching(/nothing was charged/) },
    });
    expect((await app.http.inject({ method: "GET", url: `/payments/${orderId}` })).json()).toMatchObject({ failure: payment.failure });
    // The key is tombstoned: a late charge with it is refused.
    expect((await app.store.ledger.get(payment.idempotencyKey))?.value).toMatchObject({ voidedAt: expect.any(String) });
    expect((await app.store.ledger.get(payment.idempotencyKey))?.value.result).toBeUndefined();
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
    await waitFor(async () => (await app.store.payments.get(orderId))?.value.status === "VOIDING", { what: "VOIDING", timeoutMs: 10_000 });
    await setFaults({ outage: false });
    const payment = await settled(orderId);
    expect(payment.failure?.reason).toMatch(/the charge was refunded/);
    expect((await app.store.ledger.get(payment.idempotencyKey))?.value).toMatchObject({
      result: { outcome: "succeeded" },
      voidedAt: expect.any(String),
    });
    expect(await outcomeEvents(orderId)).toEqual(["payments.failed.v1"]);
  });
});

describe("the OpenAPI document", () => {
  it("describes every response this file received (route, status, headers, content type, body)", async () => {
    expect(await contract.verify()).toBeGreaterThan(0);
  });
});
