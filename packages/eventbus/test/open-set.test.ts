import { BUCKET_TTL_MS, BUCKETS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logger = pino({ level: "silent" });

let nats: NatsServerHandle;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await Bus.connect({ url: nats.url, name: "open-set-test", logger });
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.orderIdempotency] });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

describe("the open-orders set (OPEN_ORDERS stream)", () => {
  it("counts its members, knows the oldest and its age, and forgets a removed one without a trace", async () => {
    const open = bus.openSet();
    expect(await open.summary()).toEqual({ count: 0, oldest: undefined });
    await open.add("o-1", at(30));
    await open.add("o-2", at(20));
    await open.add("o-3", at(10));
    await open.add("o-2", at(20)); // a redelivered add changes nothing
    let summary = await open.summary();
    expect(summary.count).toBe(3);
    expect(summary.oldest?.id).toBe("o-1");
    expect(summary.oldest?.openedAt.getTime()).toBeCloseTo(at(30).getTime(), -4);

    await open.remove("o-2");
    await open.remove("o-1");
    await open.remove("o-1"); // removing twice is harmless
    summary = await open.summary();
    expect(summary).toMatchObject({ count: 1, oldest: { id: "o-3" } });
    await open.remove("o-3");
    expect(await open.summary()).toEqual({ count: 0, oldest: undefined });
  });

  it("repairs stale heads (already-ended members) a few at a time, stopping at the first open one", async () => {
    const open = bus.openSet();
    for (const [id, minutes] of [
      ["stale-1", 50],
      ["stale-2", 40],
      ["live-1", 30],
      ["stale-3", 20],
    ] as const)
      await open.add(id, at(minutes));
    const asked: string[] = [];
    const summary = await open.summaryRepairingHead(async (id) => {
      asked.push(id);
      return id.startsWith("live");
    });
    // The stale member behind a live one waits until it becomes the oldest: bounded work per call.
    expect(asked).toEqual(["stale-1", "stale-2", "live-1"]);
    expect(summary).toMatchObject({ count: 2, oldest: { id: "live-1" } });
  });

  it("rejects ids that would address other members as subjects", async () => {
    await expect(bus.openSet().add("a.b", new Date())).rejects.toThrow(/not a valid open-set id/);
    await expect(bus.openSet().remove("*")).rejects.toThrow(/not a valid open-set id/);
  });

  it("provisioning gives per-order buckets a TTL, also to a bucket created before it had one", async () => {
    const ttl = BUCKET_TTL_MS[BUCKETS.orderIdempotency] ?? 0;
    const stream = `KV_${BUCKETS.orderIdempotency}`;
    expect((await bus.jsm.streams.info(stream)).config.max_age).toBe(ttl * 1e6);
    const { config } = await bus.jsm.streams.info(stream);
    await bus.jsm.streams.update(stream, { ...config, max_age: 0 });
    await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.orderIdempotency] });
    expect((await bus.jsm.streams.info(stream)).config.max_age).toBe(ttl * 1e6);
  });
});
