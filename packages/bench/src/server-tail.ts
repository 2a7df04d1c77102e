import { sum } from "./figures.js";

/**
 * POST /orders as the orders processes timed them: their own `http_server_request_duration_seconds`
 * (from the request's arrival in Fastify to its response), summed over the replicas. Set beside the
 * generator's figure, which runs from the intended send time, it tells the share of slow requests
 * that was slow inside orders from the share lost before or after it (the generator's own timer, the
 * sockets, orders' event loop before it reached the request).
 */
export interface PostCounts {
  requests: number;
  /** Requests slower than 50 ms (the HTTP target; a bucket bound of the services' histogram). */
  over50Ms: number;
}

/** A bucket line: its label set (quoted values may hold braces) and its count; an OpenMetrics exemplar may follow. */
const BUCKET_LINE = /^http_server_request_duration_seconds_bucket\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Sums POST /orders over every status from a scrape (Prometheus text or OpenMetrics). */
export function postCountsOf(exposition: string): PostCounts {
  let requests = 0;
  let within50Ms = 0;
  for (const line of exposition.split("\n")) {
    const bucket = BUCKET_LINE.exec(line);
    if (!bucket) continue;
    const labels = Object.fromEntries([...(bucket[1] ?? "").matchAll(LABEL)].map((m) => [m[1], m[2]]));
    if (labels.method !== "POST" || labels.route !== "/orders") continue;
    const count = Number(bucket[2]);
    if (labels.le === "+Inf") requests += count;
    else if (Number(labels.le) === 0.05) within50Ms += count;
  }
  return { requests, over50Ms: requests - within50Ms };
}

/** The orders processes' counts now, summed. */
export async function scrapePostCounts(ordersUrls: readonly string[]): Promise<PostCounts> {
  const scrapes = await Promise.all(
    ordersUrls.map(async (url) => {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
      return postCountsOf(await res.text());
    }),
  );
  return sumPostCounts(scrapes);
}

/** Several processes' (or stacks') counts as one. */
export const sumPostCounts = (counts: readonly PostCounts[]): PostCounts => ({
  requests: sum(counts.map((c) => c.requests)),
  over50Ms: sum(counts.map((c) => c.over50Ms)),
});

export const postCountsBetween = (before: PostCounts, after: PostCounts): PostCounts => ({
  requests: after.requests - before.requests,
  over50Ms: after.over50Ms - before.over50Ms,
});
