import type { KV } from "@nats-io/kv";
import { RetryableError } from "./errors.js";
import { isWrongLastSequence } from "./nats-errors.js";

export interface Versioned<T> {
  value: T;
  revision: number;
}

/** Outcome of a compare-and-set mutation: `null` from the mutator means "leave it as it is". */
export type Mutator<T> = (current: T | null) => T | null;

const MAX_CAS_ATTEMPTS = 100;

/** A JetStream KV bucket of JSON values with compare-and-set updates. */
export class JsonKv<T> {
  constructor(private readonly kv: KV) {}

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = await this.kv.get(key);
    if (entry?.operation !== "PUT") return null;
    return { value: entry.json<T>(), revision: entry.revision };
  }

  /** Writes only when the key is absent; returns false when it already exists. */
  async create(key: string, value: T): Promise<boolean> {
    try {
      await this.kv.create(key, JSON.stringify(value));
      return true;
    } catch (err) {
      if (isWrongLastSequence(err) || /exists/i.test(String(err))) return false;
      throw err;
    }
  }

  async put(key: string, value: T): Promise<void> {
    await this.kv.put(key, JSON.stringify(value));
  }

  /**
   * Applies `mutate` with optimistic concurrency until it wins the compare-and-set. Returns the
   * stored value (unchanged when `mutate` returned null, null when the key is absent and stays so).
   */
  async update(key: string, mutate: Mutator<T>): Promise<T | null> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(key);
      const next = mutate(current?.value ?? null);
      if (next === null) return current?.value ?? null;
      try {
        if (current) await this.kv.update(key, JSON.stringify(next), current.revision);
        else await this.kv.create(key, JSON.stringify(next));
        return next;
      } catch (err) {
        if (!isWrongLastSequence(err) && !/exists/i.test(String(err))) throw err;
        // Lost the race to a concurrent writer: spread the retries so the writers don't collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 2)));
      }
    }
    throw new RetryableError("CAS_CONTENDED", `compare-and-set on ${key} lost ${MAX_CAS_ATTEMPTS} times`);
  }

  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys()) out.push(key);
    return out;
  }
}
