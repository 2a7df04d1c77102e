import type { DescMessage } from "@bufbuild/protobuf";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ConsumerDef, STREAMS } from "@shop/contracts";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { type ConnectOptions, connectNats, type NatsLink } from "./connection.js";
import { type ConsumerHandle, type Handler, startConsumer } from "./consumer.js";
import { registerConsumerGauges } from "./consumer-gauges.js";
import { type DeadLetterEntry, listDeadLetters } from "./dlq.js";
import { deleteDeadLetter, purgeDeadLetters, replayDeadLetter } from "./dlq-operations.js";
import { EventReader } from "./event-reader.js";
import { JsonKv } from "./kv-store.js";
import { type BusMetrics, createBusMetrics } from "./metrics.js";
import { type ProvisionPlan, provision } from "./provision.js";
import { createPublisher, type Publish } from "./publisher.js";

/**
 * A cluster electing its JetStream leader answers API calls with timeouts for a few seconds: wait
 * for it (bounded) instead of failing the start.
 */
async function waitForJetStream(jsm: JetStreamManager, logger: Logger, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await jsm.getAccountInfo();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      if (attempt === 1) logger.warn({ err }, "JetStream not available yet; waiting");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The connection's options (url, name, logger, timeouts, write linger) and the metrics registries. */
export interface BusOptions extends ConnectOptions {
  /** Per-replica messaging metrics (handled, failed, retried): summable across replicas. */
  registry?: Registry;
  /** Backlog and DLQ depth read from JetStream at scrape time: the same on every replica. */
  systemRegistry?: Registry;
}

export interface DurableBacklog {
  durable: string;
  pending: number;
  ackPending: number;
}

/** A service's whole view of NATS: publish, consume, KV, provisioning, shutdown. */
export class Bus {
  readonly publish: Publish;
  private readonly consumers: ConsumerHandle[] = [];
  private readonly consumerDefs: ConsumerDef[] = [];
  private readonly metrics: BusMetrics | undefined;
  private ready = false;

  private constructor(
    private readonly link: NatsLink,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly logger: Logger,
    { registry, systemRegistry }: Pick<BusOptions, "registry" | "systemRegistry">,
  ) {
    this.metrics = registry ? createBusMetrics(registry) : undefined;
    if (systemRegistry)
      registerConsumerGauges(
        systemRegistry,
        jsm,
        () => this.consumerDefs,
        () => link.isConnected(),
      );
    this.publish = createPublisher({ js, logger, metrics: this.metrics, isConnected: () => link.isConnected() });
  }

  static async connect(options: BusOptions): Promise<Bus> {
    const link = await connectNats(options);
    const jsm = await jetstreamManager(link.nc, { checkAPI: false });
    await waitForJetStream(jsm, options.logger);
    return new Bus(link, jetstream(link.nc), jsm, options.logger, options);
  }

  get nc(): NatsConnection {
    return this.link.nc;
  }

  async provision(plan: ProvisionPlan): Promise<void> {
    await provision(this.nc, this.jsm, plan);
    this.ready = true;
  }

  /** `lingerMs`: see JsonKv (batching updates of busy keys). */
  async kv<T>(bucket: string, { lingerMs = 0 }: { lingerMs?: number } = {}): Promise<JsonKv<T>> {
    return new JsonKv<T>(await new Kvm(this.js).open(bucket), bucket, this.jsm, () => this.link.isConnected(), lingerMs);
  }

  /** Reads events back from their streams (the record of every order). */
  events(): EventReader {
    return new EventReader(this.js, this.jsm);
  }

  async consume<Desc extends DescMessage>(def: ConsumerDef<Desc>, handler: Handler<Desc>, concurrency?: number): Promise<ConsumerHandle> {
    const handle = await startConsumer({
      js: this.js,
      jsm: this.jsm,
      def,
      handler,
      logger: this.logger,
      metrics: this.metrics,
      concurrency,
    });
    this.consumers.push(handle);
    this.consumerDefs.push(def);
    return handle;
  }

  /**
   * Every durable of the saga's streams with what it still has to process (pending plus
   * unacknowledged). Durables only: a tool's short-lived scan consumer is not the saga's work.
   */
  async durableBacklogs(): Promise<DurableBacklog[]> {
    const backlogs: DurableBacklog[] = [];
    for (const stream of [STREAMS.orders.name, STREAMS.inventory.name, STREAMS.payments.name]) {
      for await (const info of this.jsm.consumers.list(stream)) {
        if (info.config.durable_name) backlogs.push({ durable: info.name, pending: info.num_pending, ackPending: info.num_ack_pending });
      }
    }
    return backlogs;
  }

  /** DLQ entries, optionally of one durable. */
  deadLetters(durable?: string): Promise<DeadLetterEntry[]> {
    return listDeadLetters(this.jsm, durable);
  }

  /** Republishes a DLQ entry to its original subject, in its original trace, and removes it. */
  replayDeadLetter(entry: DeadLetterEntry): Promise<void> {
    return replayDeadLetter(this.js, this.jsm, entry);
  }

  deleteDeadLetter(sequence: number): Promise<void> {
    return deleteDeadLetter(this.jsm, sequence);
  }

  purgeDeadLetters(durable?: string): Promise<number> {
    return purgeDeadLetters(this.jsm, durable);
  }

  /** Connected and provisioned: what /readyz reports. */
  isReady(): boolean {
    return this.ready && this.link.isConnected();
  }

  /** Stops pulling, finishes in-flight handlers, then drains the connection. */
  async close(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((c) => c.stop()));
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
