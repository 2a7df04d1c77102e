import { type ChaosStack, SERVICE_NAMES } from "./stack.js";

const PROCESSED = /^messaging_consumer_processed_total\{([^}]*)\} (\d+(?:\.\d+)?)/;

/** Messages each running replica acked, by durable, from its /metrics (counted since the process started). */
async function ackedByDurable(url: string): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  const text = await fetch(`${url}/metrics`)
    .then((res) => res.text())
    .catch(() => "");
  for (const line of text.split("\n")) {
    const [, labels, value] = PROCESSED.exec(line) ?? [];
    if (!labels?.includes('outcome="ack"')) continue;
    const durable = /consumer="([^"]+)"/.exec(labels)?.[1];
    if (durable) acked.set(durable, (acked.get(durable) ?? 0) + Number(value));
  }
  return acked;
}

/**
 * How the replicas of each service shared its durables, one line per durable, e.g.
 * `inventory-on-order-created: inventory-1 412, inventory-2 398`: evidence that every replica took
 * part, not a check (a restarted replica counts from its restart).
 */
export async function workSpread(stack: ChaosStack): Promise<string[]> {
  const lines: string[] = [];
  for (const service of SERVICE_NAMES) {
    const replicas = stack.replicas[service];
    if (replicas.length < 2) continue;
    const counts = await Promise.all(replicas.map((r) => ackedByDurable(r.url)));
    const durables = [...new Set(counts.flatMap((c) => [...c.keys()]))].filter((d) => !d.endsWith("-max-deliveries")).sort();
    for (const durable of durables) {
      lines.push(`${durable}: ${replicas.map((r, i) => `${r.id} ${counts[i]?.get(durable) ?? 0}`).join(", ")}`);
    }
  }
  return lines;
}
