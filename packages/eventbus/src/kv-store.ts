import type { KV } from "@nats-io/kv";
import { RetryableError } from "./errors.js";
import { withKeyLock } from "./key-lock.js";
import { isTransient, isWrongLastSequence } from "./nats-errors.js";

export interface Versioned<T> {
  value: T;
  revision: number;
}

/** Outcome of a compare-and-set mutation: `null` from the mutator means "leave it as it is". */
export type Mutator<T> = (current: T | null) => T | null;

const MAX_CAS_ATTEMPTS = 100;

/** A JetStream KV bucket of JSON values with compare-and-set updates. */
export class JsonKv<T> {
  constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly isConnected: () => boolean = () => true,
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
      await this.call("create", (kv) => kv.create(key, JSON.stringify(value)));
      return true;
    } catch (err) {
      if (isWrongLastSequence(err) || /exists/i.test(String(err))) return false;
      throw err;
    }
  }

  async put(key: string, value: T): Promise<void> {
    await this.exclusive(key, () => this.call("put", (kv) => kv.put(key, JSON.stringify(value))));
  }

  /**
   * Applies `mutate` with optimistic concurrency until it wins the compare-and-set. Returns the
   * stored value (unchanged when `mutate` returned null, null when the key is absent and stays so).
   */
  update(key: string, mutate: Mutator<T>): Promise<T | null> {
    return this.exclusive(key, () => this.updateNow(key, mutate));
  }

  private async updateNow(key: string, mutate: Mutator<T>): Promise<T | null> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(key);
      const next = mutate(current?.value ?? null);
      if (next === null) return current?.value ?? null;
      try {
        const data = JSON.stringify(next);
        if (current) await this.call("update", (kv) => kv.update(key, data, current.revision));
        else await this.call("create", (kv) => kv.create(key, data));
        return next;
      } catch (err) {
        if (!isWrongLastSequence(err) && !/exists/i.test(String(err))) throw err;
        // Lost the race to a concurrent writer: spread the retries so the writers don't collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 2)));
      }
    }
    throw new RetryableError("CAS_CONTENDED", `compare-and-set on ${key} lost ${MAX_CAS_ATTEMPTS} times`);
  }

  async delete(key: string): Promise<void> {
    await this.exclusive(key, () => this.call("delete", (kv) => kv.delete(key)));
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

  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.call("keys", (kv) => kv.keys())) out.push(key);
    return out;
  }
}
