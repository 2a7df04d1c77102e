import { CONSUMERS, type ConsumerDef, eventFilter, type OrderCreated } from "@shop/contracts";
import { type Bus, isNotFound } from "@shop/eventbus";
import { Counter, Gauge, type Registry } from "prom-client";

export interface OrderMetrics {
  accepted(): void;
}

/** Per-replica: the orders this replica accepted. Outcomes are counted where terminal events are published. */
export function createOrderMetrics(registry: Registry): OrderMetrics {
  const accepted = new Counter({ name: "orders_accepted_total", help: "Orders answered 202.", registers: [registry] });
  return { accepted: () => accepted.inc() };
}

/**
 * The durables an open order waits in: inventory has not decided it, or payments has not settled
 * it. The step that ends an order acks its message only after publishing the terminal event.
 */
const OPEN_STEPS: readonly ConsumerDef[] = [CONSUMERS.inventoryOnOrderCreated, CONSUMERS.paymentsOnInventoryDecided];

interface OpenOrders {
  count: number;
  oldestPlacedAtMs: number | undefined;
}

/**
 * Open orders and the age of the oldest, read from the consumers' state at scrape time: per step,
 * its pending and unacknowledged messages, and the first message past its ack floor (the oldest it
 * has not finished). A constant number of broker requests whatever the number of orders ever
 * placed, and nothing written per order. An order between two steps may count in both for a moment.
 * A step whose durable does not exist yet counts nothing; while NATS cannot answer, the last values
 * stay (as the consumer gauges do). Shared by every replica: registered in the system registry, scraped once.
 */
export function registerOpenOrderGauges(registry: Registry, bus: Bus): void {
  const events = bus.events();
  let pending: Promise<OpenOrders> | undefined;
  let last: OpenOrders = { count: 0, oldestPlacedAtMs: undefined };
  const readStep = async (def: ConsumerDef): Promise<OpenOrders> => {
    const info = await bus.jsm.consumers.info(def.stream, def.durable).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    });
    const count = info ? info.num_pending + info.num_ack_pending : 0;
    if (!info || count === 0) return { count: 0, oldestPlacedAtMs: undefined };
    const oldest = await events.firstFrom(def.stream, info.ack_floor.stream_seq + 1, eventFilter(def));
    const meta = (oldest?.message as OrderCreated | undefined)?.meta;
    return { count, oldestPlacedAtMs: oldest ? Number(meta?.orderPlacedAtMs || BigInt(oldest.storedAtMs)) : undefined };
  };
  const openOrders = (): Promise<OpenOrders> => {
    // One read serves both gauges of a scrape.
    pending ??= Promise.all(OPEN_STEPS.map(readStep))
      .then((steps) => ({
        count: steps.reduce((sum, s) => sum + s.count, 0),
        oldestPlacedAtMs: steps.reduce<number | undefined>(
          (min, s) => (s.oldestPlacedAtMs === undefined ? min : Math.min(min ?? Infinity, s.oldestPlacedAtMs)),
          undefined,
        ),
      }))
      .then((fresh) => (last = fresh))
      .catch(() => last)
      .finally(() => setTimeout(() => (pending = undefined), 250).unref());
    return pending;
  };
  new Gauge({
    name: "saga_open_orders",
    help: "Orders accepted and not yet in a terminal state.",
    registers: [registry],
    async collect() {
      this.set((await openOrders()).count);
    },
  });
  new Gauge({
    name: "saga_oldest_open_order_age_seconds",
    help: "Age of the oldest order not yet in a terminal state (0 when none).",
    registers: [registry],
    async collect() {
      const { oldestPlacedAtMs } = await openOrders();
      this.set(oldestPlacedAtMs === undefined ? 0 : Math.max(0, (Date.now() - oldestPlacedAtMs) / 1000));
    },
  });
}
