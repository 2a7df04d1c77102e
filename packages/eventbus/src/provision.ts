import { AckPolicy, DeliverPolicy, DiscardPolicy, type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { BUCKET_TTL_MS, type ConsumerDef, DUPLICATE_WINDOW_MS, eventFilter, maxDeliveriesAdvisorySubject, STREAMS } from "@shop/contracts";
import { isNotFound } from "./nats-errors.js";

const DAY_NS = 24 * 60 * 60 * 1e9;
const SECOND_NS = 1e9;

export interface ConsumerSettings {
  /** Deliveries before JetStream gives up and emits the max-deliveries advisory (then the DLQ takes it). */
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
}

export const DEFAULT_CONSUMER_SETTINGS: ConsumerSettings = { maxDeliver: 20, ackWaitMs: 30_000, maxAckPending: 1_000 };

export interface ProvisionPlan {
  replicas: number;
  consumers: readonly ConsumerDef[];
  buckets: readonly string[];
  consumerSettings?: Partial<ConsumerSettings>;
  /**
   * Durables of earlier versions this service no longer reads: deleted (with their DLQ companions)
   * if present and idle; one with messages left is refused.
   */
  retired?: readonly { stream: string; durable: string }[];
}

/** Suffix of the durable that moves a consumer's exhausted messages to the DLQ. */
export const MAX_DELIVERIES_SUFFIX = "-max-deliveries";

/**
 * Creates or updates every stream, durable and bucket the plan names. Safe to run from every
 * service at every start, concurrently.
 */
export async function provision(nc: NatsConnection, jsm: JetStreamManager, plan: ProvisionPlan): Promise<void> {
  const settings = { ...DEFAULT_CONSUMER_SETTINGS, ...plan.consumerSettings };
  for (const stream of Object.values(STREAMS)) {
    await ensureStream(jsm, {
      name: stream.name,
      subjects: [...stream.subjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: plan.replicas,
      max_age: stream.maxAgeDays * DAY_NS,
      duplicate_window: DUPLICATE_WINDOW_MS * 1e6,
    });
  }
  for (const def of plan.consumers) {
    await ensureConsumer(jsm, def.stream, {
      durable_name: def.durable,
      filter_subject: eventFilter(def),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: settings.maxDeliver,
      ack_wait: settings.ackWaitMs * 1e6,
      max_ack_pending: settings.maxAckPending,
      num_replicas: plan.replicas,
    });
    await ensureConsumer(jsm, STREAMS.advisories.name, {
      durable_name: `${def.durable}${MAX_DELIVERIES_SUFFIX}`,
      filter_subject: maxDeliveriesAdvisorySubject(def.stream, def.durable),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: -1,
      ack_wait: 30 * SECOND_NS,
      num_replicas: plan.replicas,
    });
  }
  for (const { stream, durable } of plan.retired ?? []) {
    await deleteIfIdle(jsm, stream, durable);
    await deleteIfPresent(jsm, STREAMS.advisories.name, `${durable}${MAX_DELIVERIES_SUFFIX}`);
  }
  const kvm = new Kvm(nc);
  for (const bucket of plan.buckets) {
    const ttl = (BUCKET_TTL_MS as Record<string, number | undefined>)[bucket];
    await kvm.create(bucket, { replicas: plan.replicas, history: 1, ...(ttl ? { ttl } : {}) });
    // create() leaves an existing bucket's settings alone: a bucket made before its TTL was set gets it here.
    const stream = `KV_${bucket}`;
    const { config } = await jsm.streams.info(stream);
    const maxAge = ttl ? ttl * 1e6 : 0;
    if (config.max_age !== maxAge) await jsm.streams.update(stream, { ...config, max_age: maxAge });
  }
}

type StreamConfigInput = Parameters<JetStreamManager["streams"]["add"]>[0];
type ConsumerConfigInput = Parameters<JetStreamManager["consumers"]["add"]>[1];

async function ensureStream(jsm: JetStreamManager, config: StreamConfigInput & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add(config);
      return;
    } catch (addErr) {
      // Another service created it between our info and add.
      if (!/already in use/i.test(String(addErr))) throw addErr;
    }
  }
  // Replica count may not change here (it needs a cluster-level move); subjects and limits may.
  const { num_replicas: _replicas, ...updatable } = config;
  await jsm.streams.update(config.name, updatable);
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: ConsumerConfigInput & { durable_name: string },
): Promise<void> {
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(stream, config.durable_name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (existing && existing.config.filter_subject !== config.filter_subject) {
    await deleteForNewFilter(stream, config, existing, jsm);
    existing = undefined;
  }
  if (!existing) {
    try {
      await jsm.consumers.add(stream, config);
      return;
    } catch (addErr) {
      if (!/already (exists|in use)/i.test(String(addErr))) throw addErr;
    }
  }
  const { durable_name, filter_subject, ack_policy, deliver_policy, num_replicas, ...updatable } = config;
  await jsm.consumers.update(stream, durable_name, updatable);
}

async function deleteIfPresent(jsm: JetStreamManager, stream: string, durable: string): Promise<void> {
  try {
    await jsm.consumers.delete(stream, durable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * A retired durable reads subjects no current durable reads: deleting it with work left would skip
 * that work, so the start is refused until the previous version has finished it.
 */
async function deleteIfIdle(jsm: JetStreamManager, stream: string, durable: string): Promise<void> {
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  await deleteIdleOrRefuse(jsm, stream, info, "belongs to an earlier version and");
}

/**
 * Deletes a durable of an earlier version that has nothing left to process; one with work left
 * refuses the start (`why` says what is wrong with it), so no message is skipped.
 */
async function deleteIdleOrRefuse(jsm: JetStreamManager, stream: string, info: ConsumerInfo, why: string): Promise<void> {
  const left = info.num_pending + info.num_ack_pending;
  if (left > 0) {
    throw new Error(
      `durable ${info.name} on ${stream} ${why} still has ${left} message(s) to process: ` +
        "let the previous version finish them, then start this one",
    );
  }
  // Another replica may have deleted it first.
  await deleteIfPresent(jsm, stream, info.name);
}

type ConsumerInfo = Awaited<ReturnType<JetStreamManager["consumers"]["info"]>>;

/**
 * A durable of an earlier version filters another subject (events moved to per-order subjects) and
 * nats-server 2.9 cannot change a filter. An idle one is deleted to be recreated, which loses
 * nothing: it has nothing left to deliver and its new filter matches no earlier message. One with
 * work left is refused, so no message is skipped: let the earlier version finish it first.
 */
async function deleteForNewFilter(
  stream: string,
  config: ConsumerConfigInput & { durable_name: string },
  existing: ConsumerInfo,
  jsm: JetStreamManager,
): Promise<void> {
  const why = `filters ${existing.config.filter_subject} but this version needs ${config.filter_subject}, and it`;
  await deleteIdleOrRefuse(jsm, stream, existing, why);
}
