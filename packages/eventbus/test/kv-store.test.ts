import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logger = pino({ level: "silent" });
const BUCKET = "kv-store-test";

let nats: NatsServerHandle;
let bus: Bus;
let otherProcess: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await Bus.connect({ url: nats.url, name: "kv-test", logger });
  otherProcess = await Bus.connect({ url: nats.url, name: "kv-test-other", logger });
  await bus.provision({ replicas: 1, consumers: [], buckets: [BUCKET] });
});
afterAll(async () => {
  await otherProcess?.close();
  await bus?.close();
  await nats?.stop();
});

/** Every write to the bucket is one message in its stream, so the last sequence counts writes. */
async function writesSoFar(): Promise<number> {
  return (await bus.jsm.streams.info(`KV_${BUCKET}`)).state.last_seq;
}

type Counter = { count: number };
const add = (n: number) => (current: Counter | null) => ({ count: (current?.count ?? 0) + n });

describe("JsonKv updates against a real nats-server", () => {
  it("200 concurrent updates of one key are each applied once, group-committed into a few writes", async () => {
    const kv = await bus.kv<Counter>(BUCKET);
    const before = await writesSoFar();
    const results = await Promise.all(Array.from({ length: 200 }, () => kv.update("hot", add(1))));
    expect((await otherProcess.kv<Counter>(BUCKET).then((other) => other.get("hot")))?.value.count).toBe(200);
    // Each caller sees the value as of its own update: all of 1..200, once each.
    expect(new Set(results.map((r) => r?.count)).size).toBe(200);
    const writes = (await writesSoFar()) - before;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThan(20);
  });

  it("with a linger, updates of an idle key that arrive within it share one write", async () => {
    const kv = await bus.kv<Counter>(BUCKET, { lingerMs: 200 });
    await kv.update("lingered", add(1));
    const before = await writesSoFar();
    // Issued in separate turns of the event loop, each after the previous one was queued.
    const pending: Promise<Counter | null>[] = [];
    for (let i = 0; i < 5; i++) {
      pending.push(kv.update("lingered", add(1)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await Promise.all(pending)).map((r) => r?.count)).toEqual([2, 3, 4, 5, 6]);
    expect((await writesSoFar()) - before).toBe(1);
  });

  it("an update asking for a shorter linger brings the key's write forward, and both share it", async () => {
    const kv = await bus.kv<Counter>(BUCKET);
    await kv.update("brought-forward", add(1));
    const before = await writesSoFar();
    // Without being brought forward the first would wait a minute (the test would time out).
    const patient = kv.update("brought-forward", add(10), { lingerMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    const urgent = kv.update("brought-forward", add(100), { lingerMs: 0 });
    expect([(await patient)?.count, (await urgent)?.count]).toEqual([11, 111]);
    expect((await writesSoFar()) - before).toBe(1);
  });

  it("a write by another process behind the cache's back is caught by compare-and-set and the update applied on top of it", async () => {
    const kv = await bus.kv<Counter>(BUCKET);
    const other = await otherProcess.kv<Counter>(BUCKET);
    await kv.update("shared", add(1));
    await other.update("shared", add(10));
    expect(await kv.update("shared", add(1))).toEqual({ count: 12 });
    expect((await other.get("shared"))?.value).toEqual({ count: 12 });
  });

  it("an update that finds nothing to do in a cached value another process has since changed re-reads the key before it answers", async () => {
    type Holds = { holds: string[] };
    const here = await bus.kv<Holds>(BUCKET);
    const other = await otherProcess.kv<Holds>(BUCKET);
    // This replica wrote the key last (and caches it); another replica then adds a hold.
    await here.update("holds", () => ({ holds: [] }));
    await other.update("holds", (current) => ({ holds: [...(current?.holds ?? []), "o-1"] }));
    // Settling o-1 here: in the stale cache there is no hold to settle, on the server there is.
    const settle = (current: Holds | null) => (current?.holds.includes("o-1") ? { holds: current.holds.filter((h) => h !== "o-1") } : null);
    expect(await here.update("holds", settle)).toEqual({ holds: [] });
    expect((await other.get("holds"))?.value).toEqual({ holds: [] });
  });

  it("mutators may change their value in place: each of a batch's updates sees the ones before it", async () => {
    type Holds = { holds: Record<string, number> };
    const kv = await bus.kv<Holds>(BUCKET);
    await kv.update("in-place", () => ({ holds: {} }));
    const take = (order: string) => (current: Holds | null) => {
      if (!current || current.holds[order] !== undefined) return null;
      current.holds[order] = Object.keys(current.holds).length;
      return current;
    };
    const before = await writesSoFar();
    await Promise.all(Array.from({ length: 50 }, (_, i) => kv.update("in-place", take(`o-${i % 25}`))));
    const stored = (await otherProcess.kv<Holds>(BUCKET).then((other) => other.get("in-place")))?.value;
    // 25 orders, each held once, numbered 0..24 in the order their updates were applied.
    expect(Object.keys(stored?.holds ?? {})).toHaveLength(25);
    expect(new Set(Object.values(stored?.holds ?? {})).size).toBe(25);
    expect((await writesSoFar()) - before).toBeLessThan(10);
  });

  it("a mutator that throws fails only its own caller; the rest of its batch is written", async () => {
    const kv = await bus.kv<Counter>(BUCKET);
    const outcomes = await Promise.allSettled([
      kv.update("mixed", add(1)),
      kv.update("mixed", () => {
        throw new RangeError("not allowed");
      }),
      kv.update("mixed", add(2)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await otherProcess.kv<Counter>(BUCKET).then((other) => other.get("mixed")))?.value).toEqual({ count: 3 });
  });

  it("an update whose mutator leaves the value as it is writes nothing", async () => {
    const kv = await bus.kv<Counter>(BUCKET);
    await kv.update("steady", add(5));
    const before = await writesSoFar();
    expect(await kv.update("steady", () => null)).toEqual({ count: 5 });
    expect(await kv.update("absent", () => null)).toBeNull();
    expect(await writesSoFar()).toBe(before);
  });
});

describe("JsonKv pages", () => {
  it("lists a bucket in key order, a page at a time after a cursor, without a cursor on the last page", async () => {
    await bus.provision({ replicas: 1, consumers: [], buckets: ["kv-page-test"] });
    const kv = await bus.kv<Counter>("kv-page-test");
    // Written out of order, and one key deleted: pages come back sorted and skip it.
    for (const key of ["delta", "alpha", "echo", "charlie", "bravo", "gone"]) await kv.put(key, { count: key.length });
    await kv.delete("gone");

    const first = await kv.page({ limit: 2 });
    expect(first.entries.map((e) => e.key)).toEqual(["alpha", "bravo"]);
    expect(first.entries[0]).toMatchObject({ value: { count: 5 }, revision: expect.any(Number) });
    expect(first.nextAfter).toBe("bravo");
    const second = await kv.page({ after: first.nextAfter, limit: 2 });
    expect(second.entries.map((e) => e.key)).toEqual(["charlie", "delta"]);
    const last = await kv.page({ after: second.nextAfter, limit: 2 });
    expect(last.entries.map((e) => e.key)).toEqual(["echo"]);
    expect(last.nextAfter).toBeUndefined();
    // A page that ends exactly on the last key has no cursor either.
    expect((await kv.page({ after: "charlie", limit: 2 })).nextAfter).toBeUndefined();
    expect(await kv.page({ after: "echo", limit: 2 })).toEqual({ entries: [] });
  });
});

describe("JsonKv keys", () => {
  it("lists every live key, and not a deleted one, while another process keeps rewriting a key", async () => {
    await bus.provision({ replicas: 1, consumers: [], buckets: ["kv-keys-test"] });
    const kv = await bus.kv<Counter>("kv-keys-test");
    const writer = await otherProcess.kv<Counter>("kv-keys-test");
    for (const key of ["busy", "calm", "gone"]) await kv.put(key, { count: 0 });
    await kv.delete("gone");
    // Rewrites of "busy" race every listing (the client's own keys() then waited for a heartbeat).
    let writing = true;
    const rewrites = (async () => {
      let n = 0;
      while (writing) await writer.put("busy", { count: ++n });
      return n;
    })();
    const listings: string[][] = [];
    for (let i = 0; i < 20; i++) listings.push((await kv.keys()).sort());
    writing = false;
    expect(await rewrites).toBeGreaterThan(0);
    for (const listing of listings) expect(listing).toEqual(["busy", "calm"]);
  });
});
