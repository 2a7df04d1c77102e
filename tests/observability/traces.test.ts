import { randomBytes } from "node:crypto";
import { EVENTS, eventSubject } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import {
  type NatsServerHandle,
  type OtlpReceiver,
  type ReceivedSpan,
  type ServiceProcess,
  SPAN_KIND,
  startNatsServer,
  startOtlpReceiver,
  startServiceProcess,
  waitFor,
} from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let nats: NatsServerHandle;
let otlp: OtlpReceiver;
const services: Record<"orders" | "inventory" | "payments", ServiceProcess> = {} as never;
const orders: Record<"confirmed" | "rejected" | "cancelled", string> = {} as never;

beforeAll(async () => {
  nats = await startNatsServer();
  otlp = await startOtlpReceiver();
  const env = {
    NATS_URL: nats.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_TRACES_SAMPLER_ARG: "1",
  };
  for (const name of ["orders", "inventory", "payments"] as const) services[name] = await startServiceProcess(name, { env });

  orders.confirmed = await place("c-trace", "MUG-RED");
  orders.rejected = await place("c-trace", "SOLD-OUT-SNEAKER");
  orders.cancelled = await place("decline-trace", "MUG-BLUE");
  for (const [outcome, orderId] of Object.entries(orders)) await untilStatus(orderId, outcome.toUpperCase());
}, 60_000);

/** Places a one-line order, with the caller's `traceparent` when given, and returns its id. */
async function place(customerId: string, sku: string, traceparent?: string): Promise<string> {
  const res = await fetch(`${services.orders.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(traceparent ? { traceparent } : {}) },
    body: JSON.stringify({ customerId, items: [{ sku, quantity: 1 }] }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function untilStatus(orderId: string, status: string): Promise<void> {
  await waitFor(
    async () => ((await (await fetch(`${services.orders.url}/orders/${orderId}`)).json()) as { status: string }).status === status,
    {
      what: `${orderId} ${status}`,
    },
  );
}

afterAll(async () => {
  await Promise.all(Object.values(services).map((s) => s.kill("SIGTERM")));
  await otlp?.stop();
  await nats?.stop();
});

/** Every span of the order's saga, once the expected last span has arrived and no span misses its parent. */
async function sagaSpans(orderId: string, required: Array<{ service: string; name: string }>): Promise<ReceivedSpan[]> {
  const ofOrder = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["shop.order.id"] === orderId);
  // A consumer span can be exported before its producer span ends (that waits for the publish ack).
  const complete = (spans: ReceivedSpan[]) => {
    const traceIds = new Set(ofOrder(spans).map((s) => s.traceId));
    const inTrace = spans.filter((s) => traceIds.has(s.traceId));
    const ids = new Set(inTrace.map((s) => s.spanId));
    const hasRequired = required.every((r) => inTrace.some((s) => s.service === r.service && s.name === r.name));
    return hasRequired && inTrace.every((s) => s.parentSpanId === "" || ids.has(s.parentSpanId));
  };
  await otlp.waitForSpans(complete, `the complete trace of ${orderId} with ${required.map((r) => `${r.service}: ${r.name}`).join(", ")}`);
  const traceIds = new Set(ofOrder(otlp.spans()).map((s) => s.traceId));
  expect(traceIds.size, `trace ids carrying ${orderId}`).toBe(1);
  const [traceId] = [...traceIds];
  return otlp.spans().filter((s) => s.traceId === traceId);
}

/** From a span up to the root: "service kind name" per hop, root first. */
function chainTo(spans: ReceivedSpan[], leaf: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  for (let span: ReceivedSpan | undefined = leaf; span; span = byId.get(span.parentSpanId)) {
    chain.unshift(
      `${span.service} ${Object.keys(SPAN_KIND).find((k) => SPAN_KIND[k as keyof typeof SPAN_KIND] === span?.kind)} ${span.name}`,
    );
    if (span.parentSpanId === "") break;
    expect(byId.has(span.parentSpanId), `parent of ${span.name} is in the trace`).toBe(true);
  }
  return chain;
}

function find(spans: ReceivedSpan[], service: string, name: string): ReceivedSpan {
  const span = spans.find((s) => s.service === service && s.name === name);
  if (!span) throw new Error(`no span "${name}" from ${service}; have: ${spans.map((s) => `${s.service}:${s.name}`).join(", ")}`);
  return span;
}

function expectMessagingAttributes(spans: ReceivedSpan[]): void {
  const messaging = spans.filter((s) => s.kind === SPAN_KIND.PRODUCER || s.kind === SPAN_KIND.CONSUMER);
  expect(messaging.length).toBeGreaterThan(0);
  for (const span of messaging) {
    const consumer = span.kind === SPAN_KIND.CONSUMER;
    expect(span.attributes, span.name).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": span.name.split(" ")[1],
      "messaging.operation.type": consumer ? "process" : "send",
      "messaging.message.id": expect.stringMatching(/.+/),
      "messaging.message.body.size": expect.any(Number),
      "shop.order.id": expect.any(String),
    });
    if (consumer) {
      expect(span.attributes["messaging.consumer.group.name"]).toMatch(/^(orders|inventory|payments)-on-/);
      // Child of the producer span, and linked to it.
      const parent = spans.find((p) => p.spanId === span.parentSpanId);
      expect(parent?.kind, `${span.name} parent`).toBe(SPAN_KIND.PRODUCER);
      expect(span.links).toContainEqual({ traceId: span.traceId, spanId: span.parentSpanId });
    }
  }
}

describe("one trace per order across orders, inventory and payments", () => {
  it("a confirmed order: HTTP -> send/process through all three services -> the commit in inventory", async () => {
    const spans = await sagaSpans(orders.confirmed, [{ service: "inventory", name: "commit reservation" }]);
    expect(chainTo(spans, find(spans, "inventory", "commit reservation"))).toEqual([
      "orders SERVER POST /orders",
      "orders INTERNAL handler - placeOrderHandler",
      "orders PRODUCER send orders.created.v1",
      "inventory CONSUMER process orders.created.v1",
      "inventory PRODUCER send inventory.reserved.v1",
      "payments CONSUMER process inventory.reserved.v1",
      "payments PRODUCER send payments.succeeded.v1",
      "inventory CONSUMER process payments.succeeded.v1",
      "inventory INTERNAL commit reservation",
    ]);
    expect(find(spans, "payments", "charge payment-provider").kind).toBe(SPAN_KIND.CLIENT);
    expect(find(spans, "inventory", "commit reservation").attributes["shop.saga.step"]).toBe("commit");
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(["orders", "inventory", "payments"]));
    expect(spans.filter((s) => s.attributes["shop.order.id"] !== orders.confirmed).map((s) => s.name)).toEqual([]);
    expectMessagingAttributes(spans);
  });

  it("a rejected order: the trace ends with inventory's rejection, which payments receives and skips", async () => {
    const spans = await sagaSpans(orders.rejected, [
      { service: "inventory", name: "send inventory.rejected.v1" },
      { service: "payments", name: "process inventory.rejected.v1" },
    ]);
    expect(chainTo(spans, find(spans, "inventory", "send inventory.rejected.v1"))).toEqual([
      "orders SERVER POST /orders",
      "orders INTERNAL handler - placeOrderHandler",
      "orders PRODUCER send orders.created.v1",
      "inventory CONSUMER process orders.created.v1",
      "inventory PRODUCER send inventory.rejected.v1",
    ]);
    // The rejection shares its subject with reservations: payments gets it and does nothing more.
    expect(spans.filter((s) => s.service === "payments").map((s) => s.name)).toEqual(["process inventory.rejected.v1"]);
    expectMessagingAttributes(spans);
  });

  it("a cancelled order: the trace contains the payment failure and the compensation in inventory", async () => {
    const spans = await sagaSpans(orders.cancelled, [{ service: "inventory", name: "release reservation (compensation)" }]);
    const compensation = find(spans, "inventory", "release reservation (compensation)");
    expect(compensation.attributes["shop.saga.step"]).toBe("compensation");
    expect(chainTo(spans, compensation)).toEqual([
      "orders SERVER POST /orders",
      "orders INTERNAL handler - placeOrderHandler",
      "orders PRODUCER send orders.created.v1",
      "inventory CONSUMER process orders.created.v1",
      "inventory PRODUCER send inventory.reserved.v1",
      "payments CONSUMER process inventory.reserved.v1",
      "payments PRODUCER send payments.failed.v1",
      "inventory CONSUMER process payments.failed.v1",
      "inventory INTERNAL release reservation (compensation)",
    ]);
    expect(find(spans, "payments", "charge payment-provider").attributes["payment.outcome"]).toBe("declined");
    expectMessagingAttributes(spans);
  });
});

describe("requests that make no span", () => {
  it("probes, both metrics routes, the OpenAPI document and the /docs page and assets are not traced; an API request after them is", async () => {
    const { url } = services.orders;
    for (const path of [
      "/healthz",
      "/readyz",
      "/metrics",
      "/metrics/system",
      "/openapi.json",
      "/docs",
      "/docs/static/swagger-ui.css",
      "/openapi.json?x=1",
    ]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    }
    // A lookup no other test makes; it ends after the requests above, so its span is exported after any span they made.
    expect((await fetch(`${url}/orders/untraced-probe`)).status).toBe(404);
    const spans = await otlp.waitForSpans(
      (all) => all.some((s) => s.attributes["shop.order.lookup_id"] === "untraced-probe"),
      "the span of the order lookup",
    );
    const serverSpans = spans.filter((s) => s.service === "orders" && s.kind === SPAN_KIND.SERVER).map((s) => s.name);
    expect(serverSpans).toContain("GET /orders/:id");
    expect(serverSpans.filter((name) => /healthz|readyz|metrics|openapi|docs/.test(name))).toEqual([]);
  });
});

describe("an order whose caller's trace is not sampled", () => {
  it("makes no span in any service, and each of its events carries the caller's trace, unsampled", async () => {
    const traceId = randomBytes(16).toString("hex");
    const unsampled = await place("c-unsampled", "MUG-RED", `00-${traceId}-${randomBytes(8).toString("hex")}-00`);
    await untilStatus(unsampled, "CONFIRMED");
    const probe = await Bus.connect({ url: nats.url, name: "trace-probe", logger: pino({ level: "silent" }) });
    try {
      for (const event of [EVENTS.orderCreated, EVENTS.inventoryReserved, EVENTS.paymentSucceeded]) {
        const stored = await probe.jsm.streams.getMessage(event.stream, { last_by_subj: eventSubject(event, unsampled) });
        expect(stored?.header.get("traceparent"), event.name).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
      }
    } finally {
      await probe.close();
    }
    // A sampled order placed after it goes through the same exporters: once its whole trace is in,
    // a span the unsampled order made would be too.
    const sampled = await place("c-sampled", "MUG-RED");
    await sagaSpans(sampled, [{ service: "inventory", name: "commit reservation" }]);
    expect(otlp.spans().filter((s) => s.traceId === traceId || s.attributes["shop.order.id"] === unsampled)).toEqual([]);
  });
});
