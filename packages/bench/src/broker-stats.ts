import type { Bus } from "@shop/eventbus";

/** Messages the broker has taken in and sent out so far, from its /varz monitoring endpoint. */
export async function brokerMessages(monitorUrl: string): Promise<number> {
  const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as { in_msgs: number; out_msgs: number };
  return varz.in_msgs + varz.out_msgs;
}

/** Messages and bytes (in + out) of every client connection the server knows, open or recently closed, by connection id. */
export type ConnectionCounts = Map<number, { name: string; messages: number; bytes: number }>;

interface Connz {
  total: number;
  connections?: { cid: number; name?: string; in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number }[];
}

const PAGE = 1024; // the server's default page size

/**
 * Reads /connz page by page. `state=any` also lists closed connections (the server keeps the last
 * 10,000 with their final counts), so a client that connects and leaves between two reads, as the
 * load generator does every step, is still counted.
 */
export async function connectionCounts(monitorUrl: string): Promise<ConnectionCounts> {
  const found: ConnectionCounts = new Map();
  for (let offset = 0; ; offset += PAGE) {
    const res = await fetch(`${monitorUrl}/connz?state=any&limit=${PAGE}&offset=${offset}`);
    if (!res.ok) throw new Error(`nats-server /connz answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as Connz;
    for (const c of page.connections ?? [])
      found.set(c.cid, { name: c.name ?? "", messages: c.in_msgs + c.out_msgs, bytes: c.in_bytes + c.out_bytes });
    if (!page.connections?.length || offset + PAGE >= page.total) return found;
  }
}

/** Messages (or bytes) between two reads, summed by connection name (a connection new since `before` counts in full). */
export function countsByName(
  before: ConnectionCounts,
  after: ConnectionCounts,
  what: "messages" | "bytes" = "messages",
): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [cid, counts] of after) {
    sums[counts.name] = (sums[counts.name] ?? 0) + counts[what] - (before.get(cid)?.[what] ?? 0);
  }
  return sums;
}

/** Messages the saga's durable consumers still have to process (pending plus unacknowledged). */
export async function sagaBacklog(bus: Bus): Promise<number> {
  return (await bus.durableBacklogs()).reduce((sum, d) => sum + d.pending + d.ackPending, 0);
}
