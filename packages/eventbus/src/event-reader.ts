import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { type EventDef, eventOf, type StreamName } from "@shop/contracts";
import { RetryableError } from "./errors.js";
import { isTransient } from "./nats-errors.js";
import { schemaOf } from "./publisher.js";

/** An event read back from its stream. */
export interface StoredEvent<Desc extends DescMessage = DescMessage> {
  event: EventDef<Desc>;
  message: MessageShape<Desc>;
  subject: string;
  sequence: number;
  storedAtMs: number;
}

/**
 * Reads the streams as the record: the last event on a subject or pattern, through the stream
 * leader (`$JS.API.STREAM.MSG.GET`, not a direct get a follower could answer stale), so a read after
 * an acknowledged publish sees it.
 */
export class EventReader {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /**
   * Every event of `stream` matching `filter` stored so far, oldest first, through a consumer of
   * its own (no acks, in memory) that is deleted when the scan ends. For tools and checks, not
   * for request paths.
   */
  async *scan(stream: StreamName, filter: string): AsyncGenerator<StoredEvent> {
    const { name } = await this.jsm.consumers.add(stream, {
      filter_subject: filter,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      mem_storage: true,
      // Removed by the server too should this process die mid-scan.
      inactive_threshold: 30 * 1e9,
    });
    try {
      const consumer = await this.js.consumers.get(stream, name);
      for (let pending = (await consumer.info(true)).num_pending; pending > 0; ) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, 1000), expires: 5_000 });
        let received = 0;
        for await (const msg of batch) {
          received++;
          pending = msg.info.pending;
          const event = eventOf(msg.subject, schemaOf(msg.headers));
          if (event) {
            yield {
              event,
              message: fromBinary(event.schema, msg.data),
              subject: msg.subject,
              sequence: msg.seq,
              storedAtMs: Math.floor(msg.info.timestampNanos / 1e6),
            };
          }
        }
        if (received === 0) break;
      }
    } finally {
      await this.jsm.consumers.delete(stream, name).catch(() => undefined);
    }
  }

  /** The last event on `subject` (wildcards allowed) of `stream`, or null when there is none. */
  async last(stream: StreamName, subject: string): Promise<StoredEvent | null> {
    return this.read(stream, { last_by_subj: subject });
  }

  /** The first event at or after `sequence` matching `filter`, or null. */
  async firstFrom(stream: StreamName, sequence: number, filter: string): Promise<StoredEvent | null> {
    return this.read(stream, { seq: sequence, next_by_subj: filter });
  }

  private async read(
    stream: StreamName,
    query: { last_by_subj: string } | { seq: number; next_by_subj: string },
  ): Promise<StoredEvent | null> {
    let stored: Awaited<ReturnType<JetStreamManager["streams"]["getMessage"]>>;
    try {
      stored = await this.jsm.streams.getMessage(stream, query);
    } catch (err) {
      if (isTransient(err)) throw new RetryableError("NATS_UNAVAILABLE", `reading ${stream} failed`, { cause: err });
      throw err;
    }
    if (!stored) return null;
    const event = eventOf(stored.subject, schemaOf(stored.header));
    if (!event) return null;
    return {
      event,
      message: fromBinary(event.schema, stored.data),
      subject: stored.subject,
      sequence: stored.seq,
      storedAtMs: stored.time.getTime(),
    };
  }
}
