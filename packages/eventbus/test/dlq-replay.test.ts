import { create } from "@bufbuild/protobuf";
import { SpanKind, trace } from "@opentelemetry/api";
import { CONSUMERS, EVENTS, eventMeta, OrderCreatedSchema, STREAMS } from "@shop/contracts";
import { Bus, PermanentError } from "@shop/eventbus";
import { startTelemetry, type Telemetry } from "@shop/telemetry";
import { type NatsServerHandle, type OtlpReceiver, SPAN_KIND, startNatsServer, startOtlpReceiver, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const def = CONSUMERS.inventoryOnOrderCreated;
let nats: NatsServerHandle;
let otlp: OtlpReceiver;
let telemetry: Telemetry;
let bus: Bus;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  telemetry = startTelemetry({
    service: "replay-test",
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "50" },
  });
  nats = await startNatsServer();
  bus = await Bus.connect({ url: nats.url, name: "replay-test", logger: pino({ level: "silent" }) });
  await bus.provision({ replicas: 1, consumers: [def], buckets: [] });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
  await telemetry?.shutdown();
  await otlp?.stop();
});

describe("DLQ replay", () => {
  it("republishes to the original subject inside the original trace, and the replayed message is processed there", async () => {
    let deliveries = 0;
    await bus.consume(def, async () => {
      deliveries++;
      if (deliveries === 1) throw new PermanentError("NOT_YET", "rejected the first time");
    });
    const event = create(OrderCreatedSchema, {
      meta: eventMeta(EVENTS.orderCreated, "replay-1"),
      customerId: "c-1",
      lines: [{ sku: "MUG", quantity: 1 }],
    });
    const original = await trace.getTracer("test").startActiveSpan("client", { kind: SpanKind.INTERNAL }, async (span) => {
      await bus.publish(EVENTS.orderCreated, event, { msgId: "orders.created:replay-1" });
      span.end();
      return span.spanContext().traceId;
    });
    const [letter] = await waitFor(
      async () => {
        const letters = await bus.deadLetters(def.durable);
        return letters.length === 1 && letters;
      },
      { what: "the DLQ entry" },
    );
    if (!letter) throw new Error("no DLQ entry");

    await bus.replayDeadLetter(letter);
    await waitFor(() => deliveries === 2, { what: "the replayed delivery" });
    expect(await bus.deadLetters()).toEqual([]);
    expect((await bus.jsm.streams.info(STREAMS.orders.name)).state.messages).toBe(2);

    const isReplay = (s: { kind: number; attributes: Record<string, unknown> }) =>
      s.kind === SPAN_KIND.PRODUCER && s.attributes["shop.dlq.replay_of"] === letter.sequence;
    // The replay's PRODUCER span ends after the publish ack, so it may be exported after the delivery it caused.
    const spans = await otlp.waitForSpans(
      (all) =>
        all.filter((s) => s.traceId === original && s.name === "process orders.created.v1").length === 2 &&
        all.some((s) => s.traceId === original && isReplay(s)),
      "both deliveries and the replay in the original trace",
    );
    const inTrace = spans.filter((s) => s.traceId === original);
    const replay = inTrace.find(isReplay);
    expect(replay, "the replay's PRODUCER span").toBeDefined();
    const replayed = inTrace.filter((s) => s.name === "process orders.created.v1" && s.parentSpanId === replay?.spanId);
    expect(replayed).toHaveLength(1);
  });
});
