import type { JetStreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { LRUCache } from "lru-cache";
import { RetryableError } from "./errors.js";
import { withKeyLock } from "./key-lock.js";
import { isTransient, isWrongLastSequence } from "./nats-errors.js";

export interface Versioned<T> {
  value: T;
  revision: number;
}

/** One page of a bucket in key order (see JsonKv.page). */
export interface KvPage<T> {
  entries: Array<{ key: string } & Versioned<T>>;
  /** Set when more keys follow: the last key of this page, to pass as `after` for the next one. */
  nextAfter?: string;
}

/**
 * Outcome of a compare-and-set mutation: `null` from the mutator means "leave it as it is". The
 * value a mutator gets is the key's working copy (what this process last wrote to it, or a fresh
 * read; a failed write throws it away), so it may change it in place and return it, as long as it
 * changes nothing when it returns null or throws; the batch's later mutators then go on changing
 * that same object, which is also what its caller gets.
 */
export type Mutator<T> = (current: T | null) => T | null;

interface QueuedUpdate<T> {
  mutate: Mutator<T>;
  resolve: (value: T | null) => void;
  reject: (err: unknown) => void;
}

/** What one queued update came to: the value as of its turn in the batch, or its mutator's error. */
type UpdateResult<T> = { ok: true; value: T | null } | { ok: false; err: unknown };

const MAX_CAS_ATTEMPTS = 100;
/** Keys whose last value written by an update or put is kept, so the next update needs no read first (the hot SKUs). */
const CACHED_KEYS = 2_000;

/**
 * What this process last wrote to a key: the text a create or put wrote (parsed when an update
 * needs it), or the value an update batch wrote, which the key's next batch edits in place instead of
 * parsing it again (a hot SKU's item holds every order in flight). A failed write drops the entry.
 */
interface Written<T> {
  revision: number;
  data?: string;
  value?: T;
}

/**
 * A JetStream KV bucket of JSON values with compare-and-set updates.
 *
 * Updates of one key are group-committed: while a write is in flight, later updates queue, and the
 * next write applies all of them in arrival order with one compare-and-set. A hot key (a popular
 * SKU) then costs one round trip per batch instead of a read and a write per update. The value an
 * update or put last wrote is cached, but nothing is decided on it alone: other replicas write the
 * same keys, so a stale cache costs a failed compare-and-set and a re-read, and an update that would
 * leave a cached value unchanged is decided again on the server's value.
 *
 * `lingerMs` holds the first update of an idle key that long before writing, so updates arriving
 * meanwhile share its write: fewer broker messages on keys many orders touch, for that much latency.
 * An update may ask for its own linger; the key is written when the earliest one is due.
 */
export class JsonKv<T> {
  private readonly latest = new LRUCache<string, Written<T>>({ max: CACHED_KEYS });
  private readonly queues = new Map<string, QueuedUpdate<T>[]>();
  /** Keys whose queue is lingering (not yet writing), and when their write is due. */
  private readonly lingering = new Map<string, { dueAt: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly jsm: JetStreamManager,
    private readonly isConnected: () => boolean = () => true,
    private readonly lingerMs = 0,
  ) {}

  /** Writes to one key never overlap in this process (see key-lock.ts). */
  private exclusive<R>(key: string, work: () => Promise<R>): Promise<R> {
    return withKeyLock(`${this.bucket}\u0000${key}`, work);
  }

  /** Runs a KV call; disconnection and timeouts become RetryableError (503 over HTTP, nak in handlers). */
  private async call<R>(what: string, fn: (kv: KV) => Promise<R>): Promise<R> {
    if (!this.isConnected()) throw new RetryableError("NATS_DISCONNECTED", `not connected to NATS; KV ${what} not done`);
    try {
      return await fn(this.kv);
    } catch (err) {
      if (isTransient(err)) throw new RetryableError("NATS_UNAVAILABLE", `KV ${what} failed: ${String(err)}`, { cause: err });
      throw err;
    }
  }

  /** For the key's update batch only: the cached value itself (the batch may edit it), else the server's. */
  private async editable(key: string): Promise<Versioned<T> | null> {
    const cached = this.latest.get(key);
    if (!cached) return this.get(key);
    cached.value ??= JSON.parse(cached.data ?? "null") as T;
    cached.data = undefined;
    return { value: cached.value, revision: cached.revision };
  }

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = await this.call("get", (kv) => kv.get(key));
    if (entry?.operation !== "PUT") return null;
    return { value: entry.json<T>(), revision: entry.revision };
  }

  /** Writes only when the key is absent; returns false when it already exists. */
  create(key: string, value: T): Promise<boolean> {
    return this.exclusive(key, () => this.createNow(key, value));
  }

  private async createNow(key: string, value: T): Promise<boolean> {
    try {
      // Not cached: only an update reads the cache, and created keys are per-order records that are
      // rarely updated (an idempotency record never, a provider ledger entry on a void).
      await this.call("create", (kv) => kv.create(key, JSON.stringify(value)));
      return true;
    } catch (err) {
      if (isWrongLastSequence(err) || /exists/i.test(String(err))) return false;
      throw err;
    }
  }

  async put(key: string, value: T): Promise<void> {
    await this.exclusive(key, async () => {
      this.latest.delete(key);
      const data = JSON.stringify(value);
      const revision = await this.call("put", (kv) => kv.put(key, data));
      this.latest.set(key, { data, revision });
    });
  }

  /**
   * Applies `mutate` with optimistic concurrency until it wins the compare-and-set. Returns the
   * stored value (unchanged when `mutate` returned null, null when the key is absent and stays so):
   * read it at once, since the key's later updates may edit the same object in place.
   * `mutate` may run more than once (on a fresh value each time) and must depend on nothing but it.
   */
  update(key: string, mutate: Mutator<T>, { lingerMs = this.lingerMs }: { lingerMs?: number } = {}): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ mutate, resolve, reject });
        // While a write is in flight the queue is written right after it; while it lingers, sooner if asked.
        const waiting = this.lingering.get(key);
        if (waiting && performance.now() + lingerMs < waiting.dueAt) this.startDrain(key, lingerMs);
        return;
      }
      this.queues.set(key, [{ mutate, resolve, reject }]);
      this.startDrain(key, lingerMs);
    });
  }

  private startDrain(key: string, lingerMs: number): void {
    const waiting = this.lingering.get(key);
    if (waiting) clearTimeout(waiting.timer);
    this.lingering.delete(key);
    const drain = () => {
      this.lingering.delete(key);
      void this.exclusive(key, () => this.drainUpdates(key));
    };
    if (lingerMs <= 0) {
      drain();
      return;
    }
    this.lingering.set(key, { dueAt: performance.now() + lingerMs, timer: setTimeout(drain, lingerMs) });
  }

  /** Writes the updates queued for `key` as one batch; a later batch takes the key lock again, so put/delete are not starved. */
  private async drainUpdates(key: string): Promise<void> {
    const batch = this.queues.get(key) ?? [];
    this.queues.set(key, []);
    try {
      const results = await this.commitBatch(key, batch);
      batch.forEach((update, i) => {
        const result = results[i] as UpdateResult<T>;
        if (result.ok) update.resolve(result.value);
        else update.reject(result.err);
      });
    } catch (err) {
      for (const update of batch) update.reject(err);
    }
    if (this.queues.get(key)?.length) void this.exclusive(key, () => this.drainUpdates(key));
    else this.queues.delete(key);
  }

  private async commitBatch(key: string, batch: QueuedUpdate<T>[]): Promise<UpdateResult<T>[]> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const cached = this.latest.has(key);
      const current = await this.editable(key);
      let value: T | null = current?.value ?? null;
      let changed = false;
      const results = batch.map(({ mutate }): UpdateResult<T> => {
        try {
          const next = mutate(value);
          if (next !== null) {
            value = next;
            changed = true;
          }
          return { ok: true, value };
        } catch (err) {
          // A mutator that throws fails its own caller only.
          return { ok: false, err };
        }
      });
      if (!changed || value === null) {
        // Only a write is checked by compare-and-set. "Nothing to do" (or a mutator's refusal) decided
        // on the cache may rest on a value another replica has changed since: decide again on the
        // server's value before answering.
        if (cached) {
          this.latest.delete(key);
          continue;
        }
        return results;
      }
      try {
        const data = JSON.stringify(value);
        const revision = current
          ? await this.call("update", (kv) => kv.update(key, data, current.revision))
          : await this.call("create", (kv) => kv.create(key, data));
        this.latest.set(key, { value, revision });
        return results;
      } catch (err) {
        this.latest.delete(key);
        if (!isWrongLastSequence(err) && !/exists/i.test(String(err))) throw err;
        // Written elsewhere (another process, an operator): re-read and apply the batch again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 2)));
      }
    }
    throw new RetryableError("CAS_CONTENDED", `compare-and-set on ${key} lost ${MAX_CAS_ATTEMPTS} times`);
  }

  async delete(key: string): Promise<void> {
    await this.exclusive(key, async () => {
      this.latest.delete(key);
      await this.call("delete", (kv) => kv.delete(key));
    });
  }

  /** Calls `onUpdate` for every write made from now on, until the returned stop is called. */
  async watchUpdates(onUpdate: (key: string, value: T) => void): Promise<() => void> {
    const updates = await this.call("watch", (kv) => kv.watch({ include: "updates", ignoreDeletes: true }));
    void (async () => {
      for await (const entry of updates) {
        if (entry.operation === "PUT") onUpdate(entry.key, entry.json<T>());
      }
    })();
    return () => updates.stop();
  }

  /**
   * Every key with an entry, for bounded buckets (a catalog): the bucket's per-subject state in one
   * stream-info request, then a read of each to leave out deleted keys (a delete leaves a marker).
   * Not the client's own keys() listing: it ends only at a message with nothing pending or at an
   * idle heartbeat, so a key rewritten while it lists (a busy stock item) stalls it for about 30 s.
   */
  async keys(): Promise<string[]> {
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.call("keys", () => this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: `${prefix}>` }));
    const listed = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
    const live = await Promise.all(listed.map(async (key) => ((await this.get(key)) ? key : undefined)));
    return live.filter((key): key is string => key !== undefined);
  }

  /**
   * Up to `limit` entries whose keys sort after `after`, in key order (by UTF-16 code unit, the same
   * on every call). It lists every key of the bucket first, so it is for bounded buckets (a catalog),
   * never for one that grows with traffic. A key deleted between the listing and its read is left out.
   */
  async page({ after, limit }: { after?: string; limit: number }): Promise<KvPage<T>> {
    const keys = (await this.keys()).filter((key) => after === undefined || key > after).sort();
    const pageKeys = keys.slice(0, limit);
    const found = await Promise.all(pageKeys.map((key) => this.get(key)));
    const entries = pageKeys.flatMap((key, i) => {
      const entry = found[i];
      return entry ? [{ key, ...entry }] : [];
    });
    const last = pageKeys.at(-1);
    return keys.length > limit && last !== undefined ? { entries, nextAfter: last } : { entries };
  }
}
