import { randomUUID } from "node:crypto";
import { ORDER_ID_ATTRIBUTE } from "@shop/eventbus";
import { waitFor } from "@shop/testkit";
import type { SentRequest } from "../load.js";
import { TERMINAL } from "../order-record.js";

/** One order per terminal status, and what the mix puts in it to get there. */
export const EXPECTED_ENDS = [
  { status: "CONFIRMED", customerId: "compose-confirmed", items: [{ sku: "MUG-RED", quantity: 1 }] },
  { status: "REJECTED", customerId: "compose-rejected", items: [{ sku: "SOLD-OUT-SNEAKER", quantity: 1 }] },
  { status: "CANCELLED", customerId: "decline-compose", items: [{ sku: "MUG-BLUE", quantity: 1 }] },
] as const;

/** Places an order and waits until GET /orders/:id shows it ended; returns the request (with its order id) and the status. */
export async function placeAndFollow(
  ordersUrl: string,
  customerId: string,
  items: readonly { sku: string; quantity: number }[],
): Promise<{ request: SentRequest; status: string }> {
  const request: SentRequest = { customerId, idempotencyKey: `compose-${randomUUID()}`, items: [...items], statuses: [] };
  const res = await fetch(`${ordersUrl}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": request.idempotencyKey },
    body: JSON.stringify({ customerId, items }),
  });
  request.statuses.push(res.status);
  const body = (await res.json()) as { orderId?: string };
  if (res.status !== 202 || !body.orderId) throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(body)}`);
  request.orderId = body.orderId;
  const status = await waitFor(
    async () => {
      const order = (await (await fetch(`${ordersUrl}/orders/${body.orderId}`)).json()) as { status?: string };
      return order.status && TERMINAL.has(order.status) ? order.status : undefined;
    },
    { what: `order ${body.orderId} to end`, timeoutMs: 60_000, intervalMs: 250 },
  );
  return { request, status };
}

interface Span {
  service: string;
  traceId: string;
  attributes: Record<string, unknown>;
}

/** Waits until each order has exactly one trace holding spans of all three services; returns a line per order. */
export async function tracesSpanServices(spansUrl: string, orderIds: readonly string[]): Promise<string[]> {
  const wanted = ["orders", "inventory", "payments"];
  let problems: string[] = [];
  let lines: string[] = [];
  await waitFor(
    async () => {
      const spans = (await (await fetch(spansUrl)).json()) as Span[];
      problems = [];
      lines = [];
      for (const orderId of orderIds) {
        const traceIds = new Set(spans.filter((s) => s.attributes[ORDER_ID_ATTRIBUTE] === orderId).map((s) => s.traceId));
        const [traceId] = traceIds;
        const services = new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.service));
        const missing = wanted.filter((name) => !services.has(name));
        if (traceIds.size !== 1 || missing.length > 0) problems.push(`${orderId}: ${traceIds.size} trace(s), missing ${missing.join(",")}`);
        else lines.push(`${orderId}: trace ${traceId} spans ${[...services].sort().join(", ")}`);
      }
      return problems.length === 0;
    },
    { what: "one trace per order spanning orders, inventory and payments", timeoutMs: 60_000, intervalMs: 1_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${problems.join("; ")}`);
  });
  return lines;
}

/** Waits until Prometheus has every expected target of both jobs up (`up == 1`); returns the targets. */
export async function prometheusScrapesAll(prometheusUrl: string, targets: readonly string[]): Promise<string[]> {
  const jobs = ["shop", "shop-system"];
  let seen: string[] = [];
  await waitFor(
    async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent("up == 1")}`);
      const body = (await res.json()) as { data?: { result?: Array<{ metric: { job: string; instance: string } }> } };
      seen = (body.data?.result ?? []).map((r) => `${r.metric.job}/${r.metric.instance}`);
      return jobs.every((job) => targets.every((target) => seen.includes(`${job}/${target}`)));
    },
    { what: `Prometheus: up == 1 for ${targets.join(", ")} in jobs ${jobs.join(", ")}`, timeoutMs: 90_000, intervalMs: 1_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; up now: ${seen.join(", ") || "none"}`);
  });
  return seen.sort();
}
