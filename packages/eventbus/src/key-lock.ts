/**
 * Per-key mutual exclusion inside this process. Each KV bucket has one owning service, so with it
 * every key has exactly one writer at a time: a compare-and-set never races another writer. That
 * matters on nats-server < 2.9.21, whose clustered (R3) streams can accept two concurrent
 * expected-last-sequence writes and so lose an update.
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
