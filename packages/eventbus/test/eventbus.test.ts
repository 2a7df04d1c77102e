import { create, toBinary } from "@bufbuild/protobuf";
import { AckPolicy } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { CONSUMERS, EVENTS, eventMeta, OrderCreatedSchema, PaymentFailedSchema, PaymentSucceededSchema, STREAMS } from "@shop/contracts";
import { Bus, createBreaker, PermanentError, RetryableError } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orderCreated } from "./events.js";

const logger = pino({ level: "silent" });
const def = CONSUMERS.inventoryOnOrderCreated;

let nats: NatsServerHandle;
let bus: Bus;
let registry: Registry;

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

beforeEach(async () => {
  registry = new Registry();
  bus = await Bus.connect({ url: nats.url, name: "eventbus-test", logger, registry });
  // A fresh topology per test: deleting the streams removes their durables too.
  for (const stream of Object.values(STREAMS)) await bus.jsm.streams.delete(stream.name).catch(() => undefined);
  await bus.provision({ replicas: 1, consumers: [def], buckets: ["test-bucket"], consumerSettings: { maxDeliver: 3, ackWaitMs: 2_000 } });
});
afterEach(async () => {
  await bus.close();
});

async function consumerState() {
  const info = await bus.jsm.consumers.info(def.stream, def.durable);
  return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
}

async function redeliveries(): Promise<number> {
  const metric = await registry.getSingleMetric("messaging_consumer_redelivered_total")?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

describe("eventbus against a real nats-server", () => {
  it("provisioning twice, concurrently, is harmless and leaves streams, durables and buckets in place", async () => {
    const other = await Bus.connect({ url: nats.url, name: "second", logger });
    const plan = { replicas: 1, consumers: [def], buckets: ["test-bucket"] };
    await Promise.all([bus.provision(plan), other.provision(plan)]);
    await other.close();
    const streams = (await bus.jsm.streams.names().next()).sort();
    expect(streams).toEqual(["ADVISORIES", "DLQ", "INVENTORY", "KV_test-bucket", "ORDERS", "PAYMENTS"]);
    expect((await bus.jsm.consumers.info("ORDERS", def.durable)).config.filter_subject).toBe("orders.created.v1.>");
    expect(bus.isReady()).toBe(true);
  });

  it("a durable of an earlier version with another filter is recreated when idle, and refused while it has work", async () => {
    const old = { durable_name: "test-old-filter", filter_subject: "payments.succeeded.v1", ack_policy: AckPolicy.Explicit };
    const oldDef = {
      durable: "test-old-filter",
      service: "test",
      events: [EVENTS.paymentSucceeded],
      stream: "PAYMENTS",
      subject: "payments.succeeded.v1",
    } as const;
    await bus.jsm.consumers.add("PAYMENTS", old);
    await bus.provision({ replicas: 1, consumers: [oldDef], buckets: [] });
    expect((await bus.jsm.consumers.info("PAYMENTS", "test-old-filter")).config.filter_subject).toBe("payments.succeeded.v1.>");

    await bus.jsm.consumers.delete("PAYMENTS", "test-old-filter");
    await bus.jsm.consumers.add("PAYMENTS", old);
    await bus.js.publish("payments.succeeded.v1", new Uint8Array([1]));
    await expect(bus.provision({ replicas: 1, consumers: [oldDef], buckets: [] })).rejects.toThrow(
      /test-old-filter on PAYMENTS filters payments\.succeeded\.v1 but this version needs payments\.succeeded\.v1\.>, and it still has 1 message/,
    );
    expect((await bus.jsm.consumers.info("PAYMENTS", "test-old-filter")).config.filter_subject).toBe("payments.succeeded.v1");
    await bus.jsm.consumers.delete("PAYMENTS", "test-old-filter");
    await bus.jsm.streams.purge("PAYMENTS");
  });

  it("a retired durable is deleted when idle and refused while it has work, so no message of the previous version is skipped", async () => {
    const retired = [{ stream: "PAYMENTS", durable: "test-retired" }];
    const add = () =>
      bus.jsm.consumers.add("PAYMENTS", { durable_name: "test-retired", filter_subject: "payments.old.>", ack_policy: AckPolicy.Explicit });
    await add();
    await bus.js.publish("payments.old.o-1", new Uint8Array([1]));
    await expect(bus.provision({ replicas: 1, consumers: [], buckets: [], retired })).rejects.toThrow(
      /test-retired on PAYMENTS belongs to an earlier version and still has 1 message/,
    );
    await bus.jsm.consumers.delete("PAYMENTS", "test-retired");
    await bus.jsm.streams.purge("PAYMENTS");
    await add();
    await bus.provision({ replicas: 1, consumers: [], buckets: [], retired });
    await expect(bus.jsm.consumers.info("PAYMENTS", "test-retired")).rejects.toThrow(/not found/);
  });

  it("a durable reading a step's two outcomes hands each to the handler decoded by its schema", async () => {
    const settled = CONSUMERS.inventoryOnPaymentSettled;
    await bus.provision({ replicas: 1, consumers: [settled], buckets: [] });
    const seen: string[] = [];
    await bus.consume(settled, async (event) => {
      seen.push(`${event.$typeName}:${event.meta?.orderId}`);
    });
    const meta = eventMeta;
    await bus.publish(EVENTS.paymentSucceeded, create(PaymentSucceededSchema, { meta: meta(EVENTS.paymentSucceeded, "p-1") }), {
      msgId: "s1",
    });
    await bus.publish(EVENTS.paymentFailed, create(PaymentFailedSchema, { meta: meta(EVENTS.paymentFailed, "p-2") }), { msgId: "f2" });
    // The fence sees one subject: the second outcome of an order is refused.
    const second = await bus.publish(EVENTS.paymentFailed, create(PaymentFailedSchema, { meta: meta(EVENTS.paymentFailed, "p-1") }), {
      msgId: "f1",
      firstOfSubject: true,
    });
    expect(second.duplicate).toBe(true);
    await waitFor(async () => seen.length === 2, { what: "both outcomes handled" });
    expect(seen.sort()).toEqual(["shop.payments.v1.PaymentFailed:p-2", "shop.payments.v1.PaymentSucceeded:p-1"]);
  });

  it("the same message id published twice is stored once", async () => {
    const first = await bus.publish(EVENTS.orderCreated, orderCreated("o-1"), { msgId: "orders.created:o-1" });
    const second = await bus.publish(EVENTS.orderCreated, orderCreated("o-1"), { msgId: "orders.created:o-1" });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect((await bus.jsm.streams.info("ORDERS")).state.messages).toBe(1);
  });

  it("delivers decoded events and acks them after the handler resolves", async () => {
    const seen: string[] = [];
    await bus.consume(def, async (event) => {
      seen.push(event.meta?.orderId ?? "");
    });
    await Promise.all(["a", "b", "c"].map((id) => bus.publish(EVENTS.orderCreated, orderCreated(id), { msgId: id })));
    await waitFor(async () => seen.length === 3 && (await consumerState()).ackPending === 0, { what: "three acked events" });
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    expect(await consumerState()).toMatchObject({ pending: 0, ackPending: 0 });
  });

  it("a transient failure is nak'ed and the event is redelivered until it succeeds", async () => {
    const deliveries: number[] = [];
    await bus.consume(def, async (_event, ctx) => {
      deliveries.push(ctx.deliveryCount);
      if (ctx.deliveryCount < 2) throw new RetryableError("FLAKY", "try again", { delayMs: 20 });
    });
    await bus.publish(EVENTS.orderCreated, orderCreated("r-1"), { msgId: "r-1" });
    await waitFor(async () => deliveries.length === 2 && (await consumerState()).ackPending === 0, { what: "redelivery" });
    expect(deliveries).toEqual([1, 2]);
    expect(await bus.deadLetters()).toHaveLength(0);
  });

  it("an undecodable payload lands in the DLQ with its reason and the consumer keeps processing", async () => {
    const seen: string[] = [];
    await bus.consume(def, async (event) => {
      seen.push(event.meta?.orderId ?? "");
    });
    await bus.js.publish(`${def.subject}.garbage`, new Uint8Array([0xff, 0xff, 0xff, 0xff]), { msgID: "garbage" });
    await bus.publish(EVENTS.orderCreated, orderCreated("after"), { msgId: "after" });
    const [letter] = await waitFor(
      async () => {
        const letters = await bus.deadLetters(def.durable);
        return letters.length === 1 && letters;
      },
      { what: "a DLQ entry" },
    );
    expect(letter?.reason).toMatch(/undecodable shop\.orders\.v1\.OrderCreated/);
    expect(letter?.originalSubject).toBe("orders.created.v1.garbage");
    expect(letter?.data).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    await waitFor(() => seen.includes("after"), { what: "the next event" });
    await waitFor(async () => (await consumerState()).ackPending === 0, { what: "nothing left unacked" });
    // A term that the server did not understand would show up as redeliveries.
    expect(await redeliveries()).toBe(0);
  });

  it("an event of an unknown schema and a handler's permanent error both go to the DLQ, each with its reason", async () => {
    await bus.consume(def, async (event) => {
      if (event.meta?.orderId === "invalid") throw new PermanentError("INVALID", "order has no lines");
    });
    const hdrs = natsHeaders();
    hdrs.set("Shop-Schema", "shop.orders.v2.OrderCreated");
    await bus.js.publish(`${def.subject}.v2`, toBinary(OrderCreatedSchema, orderCreated("v2")), { msgID: "v2", headers: hdrs });
    await bus.publish(EVENTS.orderCreated, orderCreated("invalid"), { msgId: "invalid" });
    const letters = await waitFor(
      async () => {
        const all = await bus.deadLetters(def.durable);
        return all.length === 2 && all;
      },
      { what: "two DLQ entries" },
    );
    expect(letters.map((l) => l.reason).sort()).toEqual([
      "order has no lines",
      "unknown schema shop.orders.v2.OrderCreated, expected shop.orders.v1.OrderCreated",
    ]);
  });

  it("a message that exhausts its deliveries is moved to the DLQ through the max-deliveries advisory", async () => {
    let attempts = 0;
    await bus.consume(def, async () => {
      attempts++;
      throw new RetryableError("DOWN", "dependency down", { delayMs: 10 });
    });
    await bus.publish(EVENTS.orderCreated, orderCreated("doomed"), { msgId: "doomed" });
    const [letter] = await waitFor(
      async () => {
        const letters = await bus.deadLetters(def.durable);
        return letters.length === 1 && letters;
      },
      { what: "the exhausted message in the DLQ" },
    );
    expect(attempts).toBe(3);
    expect(letter?.reason).toMatch(/max deliveries exhausted after 3 attempts/);
    expect(letter?.deliveryCount).toBe(3);
    expect(letter?.headers["Shop-Schema"]).toBe("shop.orders.v1.OrderCreated");
  });

  it("never runs more handlers at once than its concurrency", async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    const release: Array<() => void> = [];
    await bus.consume(
      def,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        done++;
      },
      3,
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => bus.publish(EVENTS.orderCreated, orderCreated(`c${i}`), { msgId: `c${i}` })));
    while (done < 10) {
      await waitFor(() => release.length > 0 && running === Math.min(3, 10 - done), { what: "a full batch of handlers" });
      for (const resolve of release.splice(0)) resolve();
      await waitFor(() => running === 0 || release.length > 0, { what: "handlers to settle" });
    }
    expect(peak).toBe(3);
  });

  it("stop lets an in-flight handler finish and ack before it resolves", async () => {
    let finish: () => void = () => undefined;
    let finished = false;
    const handle = await bus.consume(def, async () => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      finished = true;
    });
    await bus.publish(EVENTS.orderCreated, orderCreated("slow"), { msgId: "slow" });
    await waitFor(async () => (await consumerState()).ackPending === 1, { what: "the handler to start" });
    const stopped = handle.stop();
    finish();
    await stopped;
    expect(finished).toBe(true);
    await waitFor(async () => (await consumerState()).ackPending === 0, { what: "the ack" });
  });

  it("KV compare-and-set applies every one of many concurrent updates exactly once", async () => {
    const kv = await bus.kv<{ count: number }>("test-bucket");
    await Promise.all(Array.from({ length: 25 }, () => kv.update("counter", (current) => ({ count: (current?.count ?? 0) + 1 }))));
    expect((await kv.get("counter"))?.value.count).toBe(25);
    expect(await kv.create("counter", { count: 0 })).toBe(false);
  });

  it("a breaker opens after repeated failures and then fails fast with a retryable error", async () => {
    let calls = 0;
    const breaker = createBreaker(
      async () => {
        calls++;
        throw new Error("provider down");
      },
      { name: "test", logger, volumeThreshold: 3, resetTimeoutMs: 60_000 },
    );
    for (let i = 0; i < 3; i++) await expect(breaker.fire()).rejects.toThrow("provider down");
    expect(breaker.state).toBe("open");
    await expect(breaker.fire()).rejects.toMatchObject({ code: "BREAKER_OPEN", retryable: true, delayMs: 60_000 });
    expect(calls).toBe(3);
    breaker.shutdown();
  });
});
