import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { EVENTS, type EventDef, eventFilter, eventOf } from "@shop/contracts";
import { Bus, schemaOf } from "@shop/eventbus";
import { pino } from "pino";
import { Pool } from "undici";
import { createLatencyHistogram, type LatencySummary } from "./histogram.js";
import { DEFAULT_MIX, type OrderMix, orderFor } from "./mix.js";

export interface LoadOptions {
  /** The orders service, or several replicas of it: requests then go round-robin, as behind a load balancer. */
  ordersUrl: string | readonly string[];
  /** The broker: end-to-end latency is measured to each order's terminal event. */
  natsUrl: string;
  ratePerSecond: number;
  durationSeconds: number;
  mix?: OrderMix;
  /** How long to wait after the last send for sagas to finish. */
  drainSeconds?: number;
  onProgress?: (line: string) => void;
}

export interface LoadResult {
  targetRate: number;
  durationSeconds: number;
  sent: number;
  accepted: number;
  /** Accepted orders per second over the send window. */
  acceptedRate: number;
  /** Distinct orders that reached a terminal state, and per second over the whole run. */
  completed: number;
  completedRate: number;
  errors: Record<string, number>;
  outcomes: Record<string, number>;
  /** Requests sent to each orders URL (retries included). */
  requestsByUrl: Record<string, number>;
  /** From each request's intended send time to its response (no coordinated omission). */
  http: LatencySummary;
  /** From each order's intended send time to its terminal event (what GET /orders/:id then shows). */
  saga: LatencySummary;
}

/** Requests beyond this many in flight wait for a connection; their wait counts as latency. */
const MAX_CONNECTIONS = 256;

/** The events that end an order, and the status each gives it. */
const TERMINAL_STATUS = new Map<EventDef, string>([
  [EVENTS.paymentSucceeded, "CONFIRMED"],
  [EVENTS.paymentFailed, "CANCELLED"],
  [EVENTS.inventoryRejected, "REJECTED"],
]);

/** Drives POST /orders open-loop: request i is due at start + i / rate, whatever happened before. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const mix = options.mix ?? DEFAULT_MIX;
  const runId = randomUUID().slice(0, 8);
  const http = createLatencyHistogram();
  const saga = createLatencyHistogram();
  const errors: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const intendedByOrder = new Map<string, number>();
  const terminalEarly = new Map<string, { at: number; status: string }>();
  const done = new Set<string>();
  let sent = 0;
  let accepted = 0;
  let inflight = 0;

  // undici's pools directly: global fetch costs several times the CPU per request, and the load
  // generator shares the machine with the system it measures. The connection cap is shared out, so
  // more replicas do not mean more requests in flight.
  const urls = typeof options.ordersUrl === "string" ? [options.ordersUrl] : [...options.ordersUrl];
  if (urls.length === 0) throw new Error("runLoad: no orders URL");
  const connections = Math.max(1, Math.ceil(MAX_CONNECTIONS / urls.length));
  const pools = urls.map((url) => new Pool(url, { connections }));
  const requestsByUrl: Record<string, number> = Object.fromEntries(urls.map((url) => [url, 0]));
  let nextPool = 0;
  const bus = await Bus.connect({ url: options.natsUrl, name: "shop-load", logger: pino({ level: "silent" }) });
  const finish = (orderId: string, at: number, status: string) => {
    const intended = intendedByOrder.get(orderId);
    if (intended === undefined) {
      // The saga beat the HTTP response: settle when the response arrives.
      terminalEarly.set(orderId, { at, status });
      return;
    }
    if (done.has(orderId)) return;
    done.add(orderId);
    outcomes[status] = (outcomes[status] ?? 0) + 1;
    saga.recordMs(at - intended);
  };
  // Plain subscriptions see each terminal event as it is stored (a reserved decision shares its
  // subject with rejections and is passed over): the last subject token is the order id.
  const terminalSubjects = new Set([...TERMINAL_STATUS.keys()].map((event) => event.subject));
  const subscriptions = [...terminalSubjects].map((subject) =>
    bus.nc.subscribe(eventFilter({ subject }), {
      callback: (_err, msg) => {
        const event = eventOf(msg.subject, schemaOf(msg.headers));
        const status = event && TERMINAL_STATUS.get(event);
        if (status) finish(msg.subject.slice(subject.length + 1), performance.now(), status);
      },
    }),
  );
  await bus.nc.flush();
  const stopWatching = () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  };

  const post = async (i: number, intended: number, idempotencyKey: string) => {
    const order = orderFor(i, mix, runId);
    inflight++;
    let status = "network";
    // Round-robin per request, retries included: a retry may land on another replica, as it would
    // behind a load balancer, and must still find its order by Idempotency-Key.
    const target = nextPool++ % pools.length;
    const url = urls[target] as string;
    requestsByUrl[url] = (requestsByUrl[url] ?? 0) + 1;
    try {
      const res = await (pools[target] as Pool).request({
        path: "/orders",
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
        body: JSON.stringify({ customerId: order.customerId, items: order.items }),
      });
      status = String(res.statusCode);
      const body = (await res.body.json()) as { orderId?: string; status?: string };
      http.recordMs(performance.now() - intended);
      if (res.statusCode === 202 && body.orderId && !intendedByOrder.has(body.orderId)) {
        accepted++;
        intendedByOrder.set(body.orderId, intended);
        const early = terminalEarly.get(body.orderId);
        if (early !== undefined) finish(body.orderId, early.at, early.status);
      }
    } catch {
      // counted below
    } finally {
      inflight--;
      if (status !== "202") errors[status] = (errors[status] ?? 0) + 1;
    }
    return { order, status };
  };

  const start = performance.now();
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const requests: Promise<unknown>[] = [];
  let lastReport = start;
  await new Promise<void>((resolve) => {
    // Wakes when the next request is due (at least every second, for progress), not every
    // millisecond: below 1,000/s most such wakes would send nothing, on the machine being measured.
    const tick = () => {
      const now = performance.now();
      // Every request whose intended time (start + i / rate) has come: i <= elapsed * rate.
      const due = Math.min(total, Math.floor(((now - start) / 1000) * options.ratePerSecond) + 1);
      for (; sent < due; sent++) {
        const i = sent;
        const intended = start + (i * 1000) / options.ratePerSecond;
        const key = `load-${runId}-${i}`;
        requests.push(
          post(i, intended, key).then(async ({ order, status }) => {
            if (order.retry && status === "202") await post(i, performance.now(), key);
          }),
        );
      }
      if (now - lastReport >= 1000) {
        lastReport = now;
        const h = http.summary();
        const s = saga.summary();
        options.onProgress?.(
          `t=${Math.round((now - start) / 1000)}s sent=${sent} 202=${accepted} inflight=${inflight} done=${done.size} errors=${Object.values(errors).reduce((a, b) => a + b, 0)} http p99=${h.p99}ms saga p99=${s.p99}ms`,
        );
      }
      if (sent >= total) {
        resolve();
        return;
      }
      const nextDue = start + (sent * 1000) / options.ratePerSecond;
      // Both deadlines may already have passed (a late tick): at once, not a negative delay Node warns about.
      setTimeout(tick, Math.max(0, Math.min(nextDue, lastReport + 1000) - performance.now()));
    };
    tick();
  });
  const sendWindow = (performance.now() - start) / 1000;
  await Promise.all(requests);
  const drainUntil = performance.now() + (options.drainSeconds ?? 30) * 1000;
  while (done.size < accepted && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 100));
  const elapsed = (performance.now() - start) / 1000;
  stopWatching();
  await Promise.all([bus.close(), ...pools.map((pool) => pool.close())]);
  return {
    targetRate: options.ratePerSecond,
    durationSeconds: options.durationSeconds,
    sent,
    accepted,
    acceptedRate: Math.round(accepted / sendWindow),
    completed: done.size,
    completedRate: Math.round(done.size / elapsed),
    errors,
    outcomes,
    requestsByUrl,
    http: http.summary(),
    saga: saga.summary(),
  };
}
