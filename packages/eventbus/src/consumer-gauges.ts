import type { JetStreamManager } from "@nats-io/jetstream";
import { type ConsumerDef, dlqSubject, STREAMS } from "@shop/contracts";
import { Gauge, type Registry } from "prom-client";

interface Snapshot {
  pending: Map<string, number>;
  ackPending: Map<string, number>;
  dlq: Map<string, number>;
}

/**
 * Consumer backlog and DLQ depth, read from JetStream at scrape time. They describe the shared
 * durables, not this replica, so they belong in the system registry (scraped once per service).
 * One snapshot serves the three gauges of a scrape; while NATS is down the last values stay.
 */
export function registerConsumerGauges(
  registry: Registry,
  jsm: JetStreamManager,
  consumers: () => readonly ConsumerDef[],
  isConnected: () => boolean,
): void {
  let inflight: Promise<Snapshot> | undefined;
  let last: Snapshot = { pending: new Map(), ackPending: new Map(), dlq: new Map() };
  const snapshot = (): Promise<Snapshot> => {
    inflight ??= read()
      .then((fresh) => {
        last = fresh;
        return fresh;
      })
      .catch(() => last)
      .finally(() => setTimeout(() => (inflight = undefined), 250).unref());
    return inflight;
  };
  const read = async (): Promise<Snapshot> => {
    if (!isConnected()) return last;
    const next: Snapshot = { pending: new Map(), ackPending: new Map(), dlq: new Map() };
    const dlq = await jsm.streams.info(STREAMS.dlq.name, { subjects_filter: "dlq.>" });
    for (const def of consumers()) {
      const info = await jsm.consumers.info(def.stream, def.durable);
      next.pending.set(def.durable, info.num_pending);
      next.ackPending.set(def.durable, info.num_ack_pending);
      next.dlq.set(def.durable, dlq.state.subjects?.[dlqSubject(def.durable)] ?? 0);
    }
    return next;
  };
  const gauge = (name: string, help: string, pick: (s: Snapshot) => Map<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ["consumer"],
      registers: [registry],
      async collect() {
        for (const [consumer, value] of pick(await snapshot())) this.set({ consumer }, value);
      },
    });
  gauge("messaging_consumer_pending_messages", "Messages in the stream not yet delivered to the durable.", (s) => s.pending);
  gauge("messaging_consumer_ack_pending_messages", "Messages delivered to the durable and not yet acknowledged.", (s) => s.ackPending);
  gauge("messaging_dlq_messages", "Messages in the DLQ for the durable (DLQ depth).", (s) => s.dlq);
}
