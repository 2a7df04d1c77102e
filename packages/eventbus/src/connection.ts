import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

export interface ConnectOptions {
  url: string;
  /** Client name shown in the server's connection list. */
  name: string;
  logger: Logger;
  /** How long the first connect may take before start-up fails. */
  connectTimeoutMs?: number;
  /**
   * How long a write waits for later ones to share its socket write (0: the next event-loop turn).
   * Each write wakes nats-server; under load sharing them saves CPU on both sides, and costs up to
   * this much latency per broker round trip.
   */
  writeLingerMs?: number;
}

/** Connects with unlimited reconnects; disconnects and reconnects are logged, never fatal. */
export interface NatsLink {
  nc: NatsConnection;
  /** False between a disconnect and the following reconnect. */
  isConnected(): boolean;
}

export async function connectNats({ url, name, logger, connectTimeoutMs = 5_000, writeLingerMs = 0 }: ConnectOptions): Promise<NatsLink> {
  const nc = await connect({
    servers: url.split(",").map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: connectTimeoutMs,
    waitOnFirstConnect: false,
    // Otherwise every request builds an Error up front for its stack: ~10% of a busy service's CPU.
    noAsyncTraces: true,
    writeLingerMs,
  });
  logger.info({ server: nc.getServer() }, "connected to NATS");
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case "disconnect":
          connected = false;
          logger.warn({ server: status.server }, "disconnected from NATS");
          break;
        case "reconnect":
          connected = true;
          logger.info({ server: status.server }, "reconnected to NATS");
          break;
        case "error":
          logger.error({ err: status.error }, "NATS connection error");
          break;
        default:
          logger.debug({ status: status.type }, "NATS status");
      }
    }
  })();
  return { nc, isConnected: () => connected && !nc.isClosed() };
}
