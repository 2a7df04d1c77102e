/**
 * Per-key mutual exclusion inside this process: a process never has two writes to one key in flight
 * (group-committed updates build on it, see kv-store.ts). It also keeps a process from racing itself
 * on nats-server < 2.9.21, whose clustered (R3) streams can accept two concurrent
 * expected-last-sequence writes and so lose an update. Between replicas of a service only KV
 * compare-and-set separates writers: exact on a single server, and on a cluster from 2.9.21.
 */
const tails = new Map<string, Promise<void>>();

export async function withKeyLock<T>(id: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(id) ?? Promise.resolve();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => held);
  tails.set(id, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(id) === tail) tails.delete(id);
  }
}
