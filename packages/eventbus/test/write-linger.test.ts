import { setImmediate as nextTurn } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logger = pino({ level: "silent" });
let nats: NatsServerHandle;
let receiver: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  receiver = await Bus.connect({ url: nats.url, name: "linger-receiver", logger });
});
afterAll(async () => {
  await receiver?.close();
  await nats?.stop();
});

/** Counts the connection's socket writes (the patched client's transport; see patches/). */
function countWrites(nc: NatsConnection): { writes: number } {
  const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
  const counter = { writes: 0 };
  const send = transport.send.bind(transport);
  transport.send = (frame) => {
    counter.writes++;
    send(frame);
  };
  return counter;
}

/** Publishes `n` messages, each in an event-loop turn of its own (as handlers finishing one by one do). */
async function publishApart(bus: Bus, subject: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    bus.nc.publish(subject, String(i));
    await nextTurn();
  }
}

function receive(subject: string, n: number): Promise<string[]> {
  const got: string[] = [];
  const sub = receiver.nc.subscribe(subject, { max: n });
  return (async () => {
    for await (const msg of sub) got.push(msg.string());
    return got;
  })();
}

/** Five publishes in separate turns on a connection of its own: what arrived and in how many socket writes. */
async function publishFive(name: string, writeLingerMs?: number): Promise<{ arrived: string[]; writes: number }> {
  const bus = await Bus.connect({ url: nats.url, name, logger, ...(writeLingerMs === undefined ? {} : { writeLingerMs }) });
  try {
    const subject = `linger.${name}`;
    const arrived = receive(subject, 5);
    await receiver.nc.flush();
    const counter = countWrites(bus.nc);
    await publishApart(bus, subject, 5);
    // Nothing asks for a flush: with a linger its own timer sends them.
    return { arrived: await arrived, writes: counter.writes };
  } finally {
    await bus.close();
  }
}

describe("NATS_WRITE_LINGER_MS: writes share one socket write", () => {
  it("with a linger, messages published in separate turns go out in one write, and all arrive without a flush", async () => {
    expect(await publishFive("linger-on", 500)).toEqual({ arrived: ["0", "1", "2", "3", "4"], writes: 1 });
  });

  it("without one, each turn's messages go out in a write of their own", async () => {
    expect(await publishFive("linger-off")).toEqual({ arrived: ["0", "1", "2", "3", "4"], writes: 5 });
  });

  it("a request still gets its answer (the linger delays the write, not the reply)", async () => {
    const bus = await Bus.connect({ url: nats.url, name: "linger-request", logger, writeLingerMs: 20 });
    try {
      const service = receiver.nc.subscribe("linger.echo", {
        callback: (_err, msg) => {
          msg.respond(msg.data);
        },
      });
      await receiver.nc.flush();
      expect((await bus.nc.request("linger.echo", "ping", { timeout: 5_000 })).string()).toBe("ping");
      service.unsubscribe();
    } finally {
      await bus.close();
    }
  });
});
