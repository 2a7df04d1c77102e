import { create, toBinary } from "@bufbuild/protobuf";
import { EVENTS, eventMeta, OrderCreatedSchema } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";

const STREAM = "BENCH_CEILING";

/**
 * The broker's ceiling on this machine: pipelined JetStream publishes of event-sized messages with
 * message ids (as the services publish), `window` in flight at once, for `seconds`. Messages/s.
 */
export async function measureCeiling(bus: Bus, seconds: number, window = 256): Promise<{ publishesPerSecond: number; bytes: number }> {
  await bus.jsm.streams.add({ name: STREAM, subjects: ["bench.ceiling"] });
  const sample = create(OrderCreatedSchema, {
    meta: eventMeta(EVENTS.orderCreated, "00000000-0000-0000-0000-000000000000"),
    customerId: "load-bench-0",
    lines: [
      { sku: "MUG-RED", quantity: 2 },
      { sku: "TEE-M", quantity: 1 },
      { sku: "LAMP-DESK", quantity: 1 },
    ],
  });
  const data = toBinary(OrderCreatedSchema, sample);
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let published = 0;
  const inflight = new Set<Promise<unknown>>();
  while (Date.now() < deadline) {
    const p = bus.js.publish("bench.ceiling", data, { msgID: `ceiling-${published}` }).finally(() => inflight.delete(p));
    inflight.add(p);
    published++;
    if (inflight.size >= window) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const elapsed = (Date.now() - started) / 1000;
  await bus.jsm.streams.delete(STREAM);
  return { publishesPerSecond: Math.round(published / elapsed), bytes: data.byteLength };
}
