import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import { dlqSubject } from "@shop/contracts";

/** Headers every DLQ entry carries, beside a copy of the original headers. */
export const DLQ_HEADERS = {
  reason: "Shop-Dlq-Reason",
  originalSubject: "Shop-Dlq-Original-Subject",
  originalStream: "Shop-Dlq-Original-Stream",
  originalSequence: "Shop-Dlq-Original-Seq",
  consumer: "Shop-Dlq-Consumer",
  deliveryCount: "Shop-Dlq-Delivery-Count",
  failedAt: "Shop-Dlq-Failed-At",
  publishedAt: "Shop-Dlq-Published-At",
} as const;

export interface DeadLetter {
  durable: string;
  reason: string;
  subject: string;
  stream: string;
  streamSequence: number;
  deliveryCount: number;
  publishedAt: Date;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
}

/** Copies a message to `dlq.<durable>`; the id makes a retried copy a no-op. */
export async function publishDeadLetter(js: JetStreamClient, letter: DeadLetter): Promise<void> {
  const hdrs = natsHeaders();
  if (letter.headers) {
    for (const [key, values] of letter.headers) {
      // Nats-Msg-Id and Nats-Expected-* direct the original publish; on the copy they would refuse it.
      if (key.startsWith("Nats-")) continue;
      for (const value of values) hdrs.append(key, value);
    }
  }
  hdrs.set(DLQ_HEADERS.reason, letter.reason.replace(/[\r\n]+/g, " "));
  hdrs.set(DLQ_HEADERS.originalSubject, letter.subject);
  hdrs.set(DLQ_HEADERS.originalStream, letter.stream);
  hdrs.set(DLQ_HEADERS.originalSequence, String(letter.streamSequence));
  hdrs.set(DLQ_HEADERS.consumer, letter.durable);
  hdrs.set(DLQ_HEADERS.deliveryCount, String(letter.deliveryCount));
  hdrs.set(DLQ_HEADERS.failedAt, new Date().toISOString());
  hdrs.set(DLQ_HEADERS.publishedAt, letter.publishedAt.toISOString());
  await js.publish(dlqSubject(letter.durable), letter.data, {
    msgID: `dlq:${letter.stream}:${letter.streamSequence}:${letter.durable}`,
    headers: hdrs,
  });
}

/** Shape of the JetStream max-deliveries advisory (io.nats.jetstream.advisory.v1.max_deliver). */
export interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/** Builds the dead letter for a message the server stopped delivering, read back from its stream. */
export async function deadLetterFromAdvisory(jsm: JetStreamManager, advisory: MaxDeliveriesAdvisory): Promise<DeadLetter> {
  const stored = await jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
  return {
    durable: advisory.consumer,
    reason: `max deliveries exhausted after ${advisory.deliveries} attempts`,
    subject: stored?.subject ?? "",
    stream: advisory.stream,
    streamSequence: advisory.stream_seq,
    deliveryCount: advisory.deliveries,
    publishedAt: stored?.time ?? new Date(0),
    data: stored?.data ?? new Uint8Array(),
    headers: stored?.header,
  };
}

export interface DeadLetterEntry {
  sequence: number;
  subject: string;
  reason: string;
  originalSubject: string;
  consumer: string;
  deliveryCount: number;
  /** Sequence of the message in its original stream. */
  originalSequence: number;
  failedAt: string;
  publishedAt: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

/** Reads the DLQ stream, optionally only the entries of one durable. */
export async function listDeadLetters(jsm: JetStreamManager, durable?: string): Promise<DeadLetterEntry[]> {
  const info = await jsm.streams.info("DLQ");
  const entries: DeadLetterEntry[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const stored = await jsm.streams.getMessage("DLQ", { seq }).catch(() => null);
    if (!stored || (durable && stored.subject !== dlqSubject(durable))) continue;
    const headers: Record<string, string> = {};
    for (const [key, values] of stored.header ?? []) headers[key] = values.join(",");
    entries.push({
      sequence: stored.seq,
      subject: stored.subject,
      reason: headers[DLQ_HEADERS.reason] ?? "",
      originalSubject: headers[DLQ_HEADERS.originalSubject] ?? "",
      consumer: headers[DLQ_HEADERS.consumer] ?? "",
      deliveryCount: Number(headers[DLQ_HEADERS.deliveryCount] ?? 0),
      originalSequence: Number(headers[DLQ_HEADERS.originalSequence] ?? 0),
      failedAt: headers[DLQ_HEADERS.failedAt] ?? "",
      publishedAt: headers[DLQ_HEADERS.publishedAt] ?? "",
      data: stored.data,
      headers,
    });
  }
  return entries;
}
