import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { context, SpanKind } from "@opentelemetry/api";
import { dlqSubject, STREAMS } from "@shop/contracts";
import { type DeadLetterEntry, DLQ_HEADERS } from "./dlq.js";
import { ATTR, extractTraceContext, injectTraceContext, inSpan, tracer } from "./tracing.js";

const DLQ_ONLY = new Set<string>(Object.values(DLQ_HEADERS));
const TRACE_HEADERS = new Set(["traceparent", "tracestate"]);

/**
 * Republishes a dead letter to its original subject with its original headers, inside the original
 * trace (a PRODUCER span parented by the stored trace context), then removes it from the DLQ. The
 * message id makes a repeated replay of the same entry a no-op within the duplicate window.
 */
export async function replayDeadLetter(js: JetStreamClient, jsm: JetStreamManager, entry: DeadLetterEntry): Promise<void> {
  if (!entry.originalSubject) throw new Error(`DLQ entry ${entry.sequence} has no original subject`);
  const stored = natsHeaders();
  for (const [key, value] of Object.entries(entry.headers)) stored.set(key, value);
  const parent = extractTraceContext(stored);
  const attributes = {
    [ATTR.system]: "nats",
    [ATTR.destination]: entry.originalSubject,
    [ATTR.operationType]: "send",
    [ATTR.messageId]: `dlq-replay:${entry.sequence}`,
    "shop.dlq.replay_of": entry.sequence,
    "shop.dlq.reason": entry.reason,
  };
  await inSpan(
    tracer,
    `send ${entry.originalSubject}`,
    { kind: SpanKind.PRODUCER, attributes },
    async () => {
      const hdrs = natsHeaders();
      for (const [key, value] of Object.entries(entry.headers)) {
        // The copy holds no Nats-Expected-* (publishDeadLetter drops them), so the replay is stored beside the original.
        if (!DLQ_ONLY.has(key) && !TRACE_HEADERS.has(key)) hdrs.set(key, value);
      }
      hdrs.set("Shop-Dlq-Replay-Of", String(entry.sequence));
      injectTraceContext(hdrs, context.active());
      await js.publish(entry.originalSubject, entry.data, { msgID: `dlq-replay:${entry.sequence}`, headers: hdrs });
      await deleteDeadLetter(jsm, entry.sequence);
    },
    parent,
  );
}

export async function deleteDeadLetter(jsm: JetStreamManager, sequence: number): Promise<void> {
  await jsm.streams.deleteMessage(STREAMS.dlq.name, sequence);
}

/** Removes every DLQ entry, or those of one durable; returns how many. */
export async function purgeDeadLetters(jsm: JetStreamManager, durable?: string): Promise<number> {
  const result = await jsm.streams.purge(STREAMS.dlq.name, durable ? { filter: dlqSubject(durable) } : undefined);
  return result.purged;
}
