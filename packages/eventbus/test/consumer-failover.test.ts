import { CONSUMERS, EVENTS, STREAMS } from "@shop/contracts";
import { Bus } from "@shop/eventbus";
import { type NatsClusterHandle, startNatsCluster, waitFor } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderCreated } from "./events.js";

const logger = pino({ level: "silent" });
const def = CONSUMERS.inventoryOnOrderCreated;

let cluster: NatsClusterHandle;
beforeAll(async () => {
  cluster = await startNatsCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

describe("a pull consumer on a three-node cluster", () => {
  it("resumes when its consumer's leader is killed, well before nats.js's own defaults would notice", async () => {
    const admin = await Bus.connect({ url: cluster.url, name: "failover-admin", logger });
    try {
      await admin.provision({ replicas: 3, consumers: [def], buckets: [] });
      const leader = (await admin.jsm.consumers.info(STREAMS.orders.name, def.durable)).cluster?.leader;
      const survivors = cluster.nodes.filter((n) => n.name !== leader);
      expect(survivors).toHaveLength(2);
      // Connected to the nodes that survive: the pull requests, not the connection, are what is lost.
      const bus = await Bus.connect({ url: survivors.map((n) => n.url).join(","), name: "failover-consumer", logger });
      try {
        const seen = new Set<string>();
        await bus.consume(def, async (event) => {
          seen.add(event.meta?.orderId ?? "");
        });
        await bus.publish(EVENTS.orderCreated, orderCreated("before"), { msgId: "before" });
        await waitFor(async () => seen.has("before"), { what: "the event before the kill" });

        await cluster.node(leader as string).kill("SIGKILL");
        const killedAt = Date.now();
        // When the node also led the stream, publishes find no responder until a new leader is elected.
        await waitFor(() => bus.publish(EVENTS.orderCreated, orderCreated("after"), { msgId: "after" }), {
          what: "a publish accepted after the kill",
          timeoutMs: 20_000,
        });
        // nats.js alone (30 s pulls) misses two 15 s heartbeats, then retries its lookup 30 s apart:
        // measured ~42 s after the kill. With 5 s pulls it resumes in ~12 s.
        await waitFor(async () => seen.has("after"), {
          what: "the event after the consumer leader died",
          timeoutMs: Math.max(0, 25_000 - (Date.now() - killedAt)),
        });
      } finally {
        await bus.close();
      }
    } finally {
      await admin.close();
    }
  }, 60_000);
});
