import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { type ConsumerDef, type EventDef, eventBySchema, STREAMS } from "@shop/contracts";
import type { Logger } from "pino";
import { backoffDelay } from "./backoff.js";
import { deadLetterFromAdvisory, type MaxDeliveriesAdvisory, publishDeadLetter } from "./dlq.js";
import { errorMessage, isPermanent, PermanentError, RetryableError } from "./errors.js";
import type { BusMetrics } from "./metrics.js";
import { MAX_DELIVERIES_SUFFIX } from "./provision.js";
import { schemaOf } from "./publisher.js";
import { ATTR, extractTraceContext, orderIdOf, tracer, unsampledSpan } from "./tracing.js";

export interface MessageContext {
  subject: string;
  deliveryCount: number;
  streamSequence: number;
  /** When the message was stored (stream time): the same on every delivery. */
  storedAtMs: number;
  headers: MsgHdrs | undefined;
  logger: Logger;
}

/** Gets every event of its durable; where a durable reads two (a step's alternatives), `$typeName` tells which. */
export type Handler<Desc extends DescMessage> = (event: MessageShape<Desc>, ctx: MessageContext) => Promise<void>;

export interface ConsumerHandle {
  readonly durable: string;
  /** Stops pulling, lets in-flight handlers finish, and resolves when they have. */
  stop(): Promise<void>;
}

export interface ConsumeOptions<Desc extends DescMessage> {
  js: JetStreamClient;
  jsm: JetStreamManager;
  def: ConsumerDef<Desc>;
  handler: Handler<Desc>;
  logger: Logger;
  metrics?: BusMetrics;
  /** Handlers running at once. */
  concurrency?: number;
}

/** Runs a typed handler on a durable pull consumer, and the companion that moves exhausted messages to the DLQ. */
export async function startConsumer<Desc extends DescMessage>(options: ConsumeOptions<Desc>): Promise<ConsumerHandle> {
  const { js, jsm, def, handler, metrics } = options;
  const logger = options.logger.child({ consumer: def.durable });
  const concurrency = options.concurrency ?? 16;
  const expected = def.events.map((e) => e.schema.typeName).join(" or ");
  const eventFor = (msg: JsMsg): EventDef<Desc> | undefined => eventBySchema(def.events, schemaOf(msg.headers));

  const poison = async (msg: JsMsg, span: Span, reason: string): Promise<"term" | "nak"> => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    try {
      await publishDeadLetter(js, {
        durable: def.durable,
        reason,
        subject: msg.subject,
        stream: msg.info.stream,
        streamSequence: msg.info.streamSequence,
        deliveryCount: msg.info.deliveryCount,
        publishedAt: new Date(msg.info.timestampNanos / 1e6),
        data: msg.data,
        headers: msg.headers,
      });
    } catch (err) {
      // Never drop it: without a DLQ copy the message stays in play.
      logger.error({ err, reason }, "DLQ publish failed; message will be redelivered");
      span.addEvent("dlq.publish_failed", { "error.message": errorMessage(err) });
      msg.nak(backoffDelay(msg.info.deliveryCount));
      return "nak";
    }
    metrics?.dlqMoves.inc({ consumer: def.durable, reason: "poison" });
    metrics?.failed.inc({ consumer: def.durable, kind: "permanent" });
    span.addEvent("dlq.moved", { "dlq.reason": reason });
    logger.error({ reason, seq: msg.info.streamSequence }, "message moved to DLQ");
    // No reason argument: nats-server 2.9.10 does not parse "+TERM <reason>" and would redeliver; the reason is in the DLQ headers.
    msg.term();
    return "term";
  };

  const processOne = async (msg: JsMsg, span: Span, eventDef: EventDef<Desc> | undefined): Promise<"ack" | "nak" | "term"> => {
    if (!eventDef) return poison(msg, span, `unknown schema ${schemaOf(msg.headers) ?? "(none)"}, expected ${expected}`);
    let event: MessageShape<Desc>;
    try {
      event = fromBinary(eventDef.schema, msg.data);
    } catch (err) {
      return poison(msg, span, `undecodable ${eventDef.schema.typeName}: ${errorMessage(err)}`);
    }
    const orderId = orderIdOf(event);
    if (orderId) span.setAttribute(ATTR.orderId, orderId);
    const ctx: MessageContext = {
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.info.streamSequence,
      storedAtMs: Math.floor(msg.info.timestampNanos / 1e6),
      headers: msg.headers,
      // Made when first asked for (a failure logs with it): most messages never need one.
      get logger() {
        const child = logger.child({ seq: msg.info.streamSequence, ...(orderId ? { orderId } : {}) });
        Object.defineProperty(this, "logger", { value: child });
        return child;
      },
    };
    try {
      await handler(event, ctx);
      msg.ack();
      return "ack";
    } catch (err) {
      span.recordException(err as Error);
      if (isPermanent(err)) return poison(msg, span, errorMessage(err));
      const delay = err instanceof RetryableError && err.delayMs !== undefined ? err.delayMs : backoffDelay(msg.info.deliveryCount);
      ctx.logger.warn({ err, delayMs: delay, deliveryCount: msg.info.deliveryCount }, "handler failed; nak with delay");
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      span.addEvent("message.nak", { delay_ms: delay, [ATTR.deliveryCount]: msg.info.deliveryCount });
      metrics?.failed.inc({ consumer: def.durable, kind: "transient" });
      msg.nak(delay);
      return "nak";
    }
  };

  // Every series exists from the start, so dashboards and alerts see zeros rather than nothing.
  for (const outcome of ["ack", "nak", "term"]) metrics?.processed.inc({ consumer: def.durable, outcome }, 0);
  for (const kind of ["transient", "permanent"]) metrics?.failed.inc({ consumer: def.durable, kind }, 0);
  for (const reason of ["poison", "max_deliveries"]) metrics?.dlqMoves.inc({ consumer: def.durable, reason }, 0);
  metrics?.redelivered.inc({ consumer: def.durable }, 0);

  /** Processes `msg` in a CONSUMER span, a child of the producer's (one trace per order) that links to it. */
  const processTraced = (msg: JsMsg): Promise<"ack" | "nak" | "term"> => {
    const parent = extractTraceContext(msg.headers);
    const event = eventFor(msg);
    const unsampled = unsampledSpan(parent);
    if (unsampled) return context.with(parent, () => processOne(msg, unsampled, event));
    const producer = trace.getSpanContext(parent);
    // Named by the event, not the per-order subject, so span names stay few.
    const name = event?.name ?? def.subject;
    const span = tracer.startSpan(
      `process ${name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [ATTR.system]: "nats",
          [ATTR.destination]: name,
          [ATTR.operationType]: "process",
          [ATTR.operationName]: "process",
          [ATTR.consumerGroup]: def.durable,
          [ATTR.messageId]: msg.headers?.get("Nats-Msg-Id") ?? "",
          [ATTR.bodySize]: msg.data.byteLength,
          [ATTR.deliveryCount]: msg.info.deliveryCount,
          [ATTR.streamSequence]: msg.info.streamSequence,
        },
        links: producer ? [{ context: producer }] : [],
      },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      const outcome = await processOne(msg, span, event);
      span.setAttribute("messaging.nats.outcome", outcome);
      span.end();
      return outcome;
    });
  };

  const main = await runLoop(
    () => js.consumers.get(def.stream, def.durable),
    concurrency,
    logger,
    async (msg) => {
      const started = performance.now();
      if (msg.info.deliveryCount > 1) metrics?.redelivered.inc({ consumer: def.durable });
      const outcome = await processTraced(msg);
      metrics?.processed.inc({ consumer: def.durable, outcome });
      metrics?.processingSeconds.observe({ consumer: def.durable }, (performance.now() - started) / 1000);
    },
  );

  const advisoryDurable = `${def.durable}${MAX_DELIVERIES_SUFFIX}`;
  const advisories = await runLoop(
    () => js.consumers.get(STREAMS.advisories.name, advisoryDurable),
    1,
    logger,
    async (msg) => {
      try {
        const advisory = msg.json<MaxDeliveriesAdvisory>();
        const letter = await deadLetterFromAdvisory(jsm, advisory);
        // Recorded in the original message's trace, so the order's trace shows where it ended.
        await tracer.startActiveSpan("dlq move", { kind: SpanKind.INTERNAL }, extractTraceContext(letter.headers), async (span) => {
          span.addEvent("dlq.moved", { "dlq.reason": letter.reason, [ATTR.consumerGroup]: def.durable });
          span.setStatus({ code: SpanStatusCode.ERROR, message: letter.reason });
          try {
            await publishDeadLetter(js, letter);
          } finally {
            span.end();
          }
        });
        metrics?.dlqMoves.inc({ consumer: def.durable, reason: "max_deliveries" });
        logger.error({ seq: advisory.stream_seq, deliveries: advisory.deliveries }, "exhausted message moved to DLQ");
        msg.ack();
      } catch (err) {
        logger.error({ err }, "could not move exhausted message to DLQ; retrying");
        msg.nak(backoffDelay(msg.info.deliveryCount));
      }
    },
  );

  return {
    durable: def.durable,
    stop: async () => {
      await Promise.all([main.stop(), advisories.stop()]);
    },
  };
}

/**
 * How long one pull request lives. When a clustered consumer's leader dies, the new leader does not
 * know the pending pull, and nats.js notices only after two missed heartbeats (half this each) and
 * then retries its consumer lookup this far apart: nats.js's 30 s default stalled a consumer ~42 s.
 */
const PULL_EXPIRES_MS = 5_000;

/** Reopening a consumer after an outage: quick first, never more than 5 s apart. */
const REOPEN_BACKOFF = { baseMs: 250, maxMs: 5_000 };

interface Loop {
  stop(): Promise<void>;
}

/**
 * Pulls and dispatches with at most `concurrency` handlers in flight. If the pull iterator ends or
 * fails while not stopping (durable recreated, long outage), it is opened again after a backoff:
 * a consumer never stops silently.
 */
async function runLoop(
  openConsumer: () => Promise<Consumer>,
  concurrency: number,
  logger: Logger,
  onMessage: (msg: JsMsg) => Promise<void>,
): Promise<Loop> {
  const open = async () => (await openConsumer()).consume({ max_messages: Math.max(concurrency * 2, 8), expires: PULL_EXPIRES_MS });
  let messages: ConsumerMessages = await open();
  let stopping = false;
  const inflight = new Set<Promise<void>>();
  const drain = async (iterator: ConsumerMessages) => {
    for await (const msg of iterator) {
      if (stopping) {
        // Buffered but not started: hand it back at once rather than after ack_wait.
        msg.nak();
        continue;
      }
      const task = onMessage(msg)
        .catch((err) => logger.error({ err }, "unexpected consumer failure"))
        .finally(() => inflight.delete(task));
      inflight.add(task);
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
  };
  const done = (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await drain(messages);
      } catch (err) {
        if (!stopping) logger.error({ err }, "pull consumer failed");
      }
      if (stopping) break;
      logger.warn({ attempt }, "pull consumer ended unexpectedly; reopening");
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, REOPEN_BACKOFF)));
      if (stopping) break;
      try {
        messages = await open();
        attempt = 0;
      } catch (err) {
        logger.error({ err }, "could not reopen pull consumer");
      }
    }
    await Promise.all(inflight);
  })();
  return {
    stop: async () => {
      stopping = true;
      await messages.close();
      await done;
    },
  };
}

export { PermanentError, RetryableError };
