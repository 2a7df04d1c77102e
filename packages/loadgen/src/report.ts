import type { LoadResult } from "./run.js";

/** The run as a small table: throughput, errors, outcomes, HTTP and saga latency percentiles. */
export function formatResult(result: LoadResult): string {
  const row = (name: string, s: LoadResult["http"]) =>
    `${name.padEnd(6)} ${[s.count, s.p50, s.p90, s.p99, s.p999, s.max, s.mean].map((v) => String(v).padStart(9)).join(" ")}`;
  return [
    `target ${result.targetRate}/s for ${result.durationSeconds}s: sent ${result.sent}, accepted ${result.accepted} (${result.acceptedRate}/s), completed ${result.completed} (${result.completedRate}/s)`,
    `errors: ${JSON.stringify(result.errors)}   outcomes: ${JSON.stringify(result.outcomes)}`,
    ...(Object.keys(result.requestsByUrl).length > 1 ? [`requests by URL: ${JSON.stringify(result.requestsByUrl)}`] : []),
    `latency ms  count       p50       p90       p99     p99.9       max      mean`,
    row("http", result.http),
    row("saga", result.saga),
  ].join("\n");
}
