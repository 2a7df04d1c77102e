import { Counter, Histogram, type Registry } from "prom-client";

/** Messaging metrics; registered once per registry. */
export interface BusMetrics {
  processed: Counter<"consumer" | "outcome">;
  redelivered: Counter<"consumer">;
  failed: Counter<"consumer" | "kind">;
  processingSeconds: Histogram<"consumer">;
  publishRetries: Counter<"subject">;
  dlqMoves: Counter<"consumer" | "reason">;
}

export function createBusMetrics(registry: Registry): BusMetrics {
  const registers = [registry];
  return {
    processed: new Counter({
      name: "messaging_consumer_processed_total",
      help: "Messages handled by a consumer, by outcome (ack, nak, term).",
      labelNames: ["consumer", "outcome"],
      registers,
    }),
    failed: new Counter({
      name: "messaging_consumer_failed_total",
      help: "Messages whose handling failed, by kind (transient: nak'ed for retry; permanent: dead-lettered).",
      labelNames: ["consumer", "kind"],
      registers,
    }),
    redelivered: new Counter({
      name: "messaging_consumer_redelivered_total",
      help: "Messages received with a delivery count above one.",
      labelNames: ["consumer"],
      registers,
    }),
    processingSeconds: new Histogram({
      name: "messaging_consumer_processing_seconds",
      help: "Time from receipt to ack/nak/term.",
      labelNames: ["consumer"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishRetries: new Counter({
      name: "messaging_publish_retries_total",
      help: "Publish attempts retried after a transient failure.",
      labelNames: ["subject"],
      registers,
    }),
    dlqMoves: new Counter({
      name: "messaging_dlq_moves_total",
      help: "Messages copied to the DLQ, by reason kind (poison, max_deliveries).",
      labelNames: ["consumer", "reason"],
      registers,
    }),
  };
}
