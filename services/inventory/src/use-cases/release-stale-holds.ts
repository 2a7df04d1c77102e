import { trace } from "@opentelemetry/api";
import { inSpan, ORDER_ID_ATTRIBUTE } from "@shop/eventbus";
import type { Logger } from "@shop/telemetry";
import type { InventoryStore } from "../adapters/inventory-store.js";
import { namesHold, type Reservation } from "../domain/reservation.js";
import { holdIdOf, release, type StockItem } from "../domain/stock.js";

const tracer = trace.getTracer("@shop/inventory");

/** Reservation lookups per sweep at most: a backlog of suspects is worked off over several sweeps. */
export const MAX_LOOKUPS_PER_SWEEP = 256;
/** Requests in flight at once while sweeping, so a sweep never floods the broker. */
const PARALLEL_READS = 16;

export interface HoldSweepOptions {
  store: InventoryStore;
  logger: Logger;
  /** Called for every hold this replica released (the others' releases are theirs to count). */
  onReleased?: (hold: { sku: string; orderId: string; units: number }) => void;
  maxLookups?: number;
}

/** What one sweep saw and did. */
export interface SweepSummary {
  skus: number;
  /** Holds present in the catalog. */
  holds: number;
  /** Orders with a hold already present in the previous sweep, not yet known to be one their decision counts on. */
  suspects: number;
  lookups: number;
  released: number;
}

export interface HoldSweeper {
  /** One sweep; concurrent calls in one process share it. */
  sweepOnce(): Promise<SweepSummary>;
  /** Sweeps every `intervalMs` (a timer that never keeps the process alive), one sweep at a time. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a sweep in progress, which stops at its next step. */
  stop(): Promise<void>;
}

interface Hold {
  sku: string;
  orderId: string;
  units: number;
  /** The attempt that took it. */
  holdId: string;
}

const holdKey = ({ sku, orderId, holdId }: Hold) => `${sku}\u0000${orderId}\u0000${holdId}`;

/**
 * Repairs the one window the stored decision leaves (docs/architecture.md, "Running more than one
 * instance"): an attempt killed between taking a hold and meeting its order's stored decision,
 * while another attempt handled and acked the same message, leaves a hold nobody else releases:
 * a hold of a rejected order, or one no reservation names (taken again after its order was settled).
 *
 * Safety rests on the stores only: a stored decision never changes and only a hold it names is
 * ever settled, so releasing the others is what every attempt meeting the decision does anyway, and
 * each release is a compare-and-set on that very hold (order and attempt) that finds it or does
 * nothing, whoever sweeps at the same time. Holds a reservation names, and holds of orders not
 * decided yet, are never touched.
 *
 * What this process remembers only bounds the work: a hold is looked at once it was present in the
 * previous sweep too (a younger one is normal in-flight work), a hold found named is not looked up
 * again while it stays, and at most `maxLookups` orders are looked up per sweep, round-robin. A sweep
 * reads the catalog once, so its cost follows the catalog and the holds present, never the orders ever placed.
 */
export function createHoldSweeper({ store, logger, onReleased, maxLookups = MAX_LOOKUPS_PER_SWEEP }: HoldSweepOptions): HoldSweeper {
  let seen = new Set<string>();
  /** Holds a stored reservation names: they stay until settled. */
  let named = new Set<string>();
  /** The last order looked up, so a backlog larger than `maxLookups` is taken in turns. */
  let cursor: string | undefined;
  let running: Promise<SweepSummary> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function sweep(): Promise<SweepSummary> {
    const items = await readCatalog(store, () => stopped);
    const holds: Hold[] = items.flatMap((item) =>
      Object.entries(item.holds).map(([orderId, units]) => ({ sku: item.sku, orderId, units, holdId: holdIdOf(item, orderId) ?? "" })),
    );
    const old = new Map<string, Hold[]>();
    for (const hold of holds) {
      if (!seen.has(holdKey(hold)) || named.has(holdKey(hold))) continue;
      old.set(hold.orderId, [...(old.get(hold.orderId) ?? []), hold]);
    }
    const suspects = [...old.keys()].sort();
    const turn = takeTurn(suspects, cursor, maxLookups);
    let released = 0;
    await inBatches(turn, PARALLEL_READS, async (orderId) => {
      if (stopped) return;
      const decision = await store.decisions.read(orderId);
      // Not decided yet: the decision is in flight and its unacked message will come back.
      if (!decision) return;
      const [kept, stale] = partition(old.get(orderId) ?? [], (hold) => namesHold(decision, hold.sku, hold.holdId));
      for (const hold of kept) named.add(holdKey(hold));
      if (stale.length === 0) return;
      // Not `released += await …`: that would read `released` before the wait, and lookups run in parallel.
      const count = await releaseHolds(orderId, stale, decision.status);
      released += count;
    });
    cursor = turn.length < suspects.length ? turn.at(-1) : undefined;
    if (!stopped) {
      seen = new Set(holds.map(holdKey));
      named = new Set([...named].filter((key) => seen.has(key)));
    }
    return { skus: items.length, holds: holds.length, suspects: suspects.length, lookups: turn.length, released };
  }

  function releaseHolds(orderId: string, holds: Hold[], status: Reservation["status"]): Promise<number> {
    const attributes = { [ORDER_ID_ATTRIBUTE]: orderId, "shop.saga.step": "repair" };
    const why = status === "REJECTED" ? "of a rejected order" : "its reservation does not name";
    return inSpan(tracer, "release stale holds", { attributes }, async (span) => {
      let count = 0;
      for (const { sku, holdId } of holds) {
        let units = 0;
        await store.stock.update(sku, (current) => {
          // The mutator may run more than once; its last run is the one written.
          const held = current?.holds[orderId] ?? 0;
          const next = current && release(current, orderId, holdId);
          units = next ? held : 0;
          return next;
        });
        if (units === 0) continue;
        count++;
        span.addEvent("hold.released", { sku, units });
        logger.warn({ orderId, sku, units, holdId }, `released a stale hold ${why}`);
        onReleased?.({ sku, orderId, units });
      }
      return count;
    });
  }

  function sweepOnce(): Promise<SweepSummary> {
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(intervalMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      sweepOnce()
        .catch((err: unknown) => logger.warn({ err }, "hold sweep failed; trying again next interval"))
        .finally(() => schedule(intervalMs));
    }, intervalMs);
    timer.unref();
  }

  return {
    sweepOnce,
    start: (intervalMs) => {
      stopped = false;
      schedule(intervalMs);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** Every stock item, read from the server (not this process's cache), a batch at a time. */
async function readCatalog(store: InventoryStore, stopped: () => boolean): Promise<StockItem[]> {
  const items: StockItem[] = [];
  await inBatches(await store.stock.keys(), PARALLEL_READS, async (sku) => {
    if (stopped()) return;
    const item = (await store.stock.get(sku))?.value;
    if (item) items.push(item);
  });
  return items;
}

function partition<T>(all: readonly T[], keep: (item: T) => boolean): [T[], T[]] {
  return [all.filter(keep), all.filter((item) => !keep(item))];
}

/** Up to `limit` of the sorted `suspects`, starting after `cursor` and wrapping around. */
function takeTurn(suspects: readonly string[], cursor: string | undefined, limit: number): string[] {
  const start = cursor === undefined ? 0 : suspects.findIndex((orderId) => orderId > cursor);
  const from = Math.max(start, 0);
  return [...suspects.slice(from), ...suspects.slice(0, from)].slice(0, limit);
}

async function inBatches<T>(all: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < all.length; i += size) await Promise.all(all.slice(i, i + size).map(work));
}
