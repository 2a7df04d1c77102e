import { randomUUID } from "node:crypto";
import type { Balancer } from "./balancer.js";

/** One POST /orders as sent: unique customer, so every stored order can be traced to a request. */
export interface SentRequest {
  customerId: string;
  idempotencyKey: string;
  items: { sku: string; quantity: number }[];
  /** Status per attempt (0 = no HTTP answer: refused, reset, timed out). */
  statuses: number[];
  orderId?: string;
}

export interface LoadOptions {
  /** The orders replicas behind a health-checked round-robin balancer. */
  orders: Balancer;
  ratePerSecond: number;
  /** Share of requests sent a second time with the same key and body. */
  retryShare: number;
  hotSku: string;
  hotShare: number;
  declineShare: number;
  /** Share of the hot orders placed by a customer whose payment is declined (their hold is released). */
  hotDeclineShare?: number;
  /** A second SKU on every other hot order: when the hot one is short, this line's hold is released again. */
  hotCompanion?: string;
}

const SKUS = ["MUG-RED", "MUG-BLUE", "TEE-M", "TEE-L", "POSTER-A2"];

/** Paced load (one request every 1/rate s, each on its own); stop() waits for every request in flight. */
export function startLoad(options: LoadOptions) {
  const sent: SentRequest[] = [];
  const inflight = new Set<Promise<void>>();
  let n = 0;
  const post = async (request: SentRequest) => {
    let status = 0;
    const url = options.orders.pick();
    try {
      if (url === undefined) throw new Error("no orders replica is up");
      const res = await fetch(`${url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": request.idempotencyKey },
        body: JSON.stringify({ customerId: request.customerId, items: request.items }),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      const body = (await res.json()) as { orderId?: string };
      if (status === 202 && body.orderId) {
        if (request.orderId && request.orderId !== body.orderId) throw new Error(`key ${request.idempotencyKey} answered two order ids`);
        request.orderId = body.orderId;
      }
    } catch (err) {
      if ((err as Error).message.includes("two order ids")) throw err;
      if (url !== undefined && status === 0) options.orders.unanswered(url);
    }
    request.statuses.push(status);
  };
  const track = (p: Promise<void>) => {
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };
  const timer = setInterval(() => {
    const i = n++;
    const roll = (i * 7919) % 100; // deterministic mix
    const hot = roll < options.hotShare * 100;
    const declined = hot
      ? (i * 131) % 100 < (options.hotDeclineShare ?? 0) * 100
      : roll < options.declineShare * 100 + options.hotShare * 100;
    const request: SentRequest = {
      customerId: `${declined ? "decline" : "chaos"}-${i}`,
      idempotencyKey: `chaos-${randomUUID()}`,
      items: hot
        ? [
            { sku: options.hotSku, quantity: 1 },
            ...(options.hotCompanion && i % 2 === 0 ? [{ sku: options.hotCompanion, quantity: 1 }] : []),
          ]
        : [{ sku: SKUS[i % SKUS.length] as string, quantity: 1 + (i % 3) }, ...(i % 4 === 0 ? [{ sku: "LAMP-DESK", quantity: 1 }] : [])],
      statuses: [],
    };
    sent.push(request);
    track(
      post(request).then(async () => {
        if ((i * 31) % 100 < options.retryShare * 100) await post(request);
      }),
    );
  }, 1000 / options.ratePerSecond);
  return {
    sent,
    stop: async () => {
      clearInterval(timer);
      while (inflight.size > 0) await Promise.all(inflight);
    },
  };
}
