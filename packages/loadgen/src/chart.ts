import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { LatencySummary } from "./histogram.js";
import type { LoadResult } from "./run.js";

/** One measured load step: what was offered, what completed, and its latency. */
export interface ChartPoint {
  offered: number;
  completed: number;
  http: LatencySummary;
  saga: LatencySummary;
}

/** A load run as a chart point: the rate it offered against what it completed, and its latency. */
export function chartPointOf(load: LoadResult): ChartPoint {
  return { offered: load.targetRate, completed: load.completedRate, http: load.http, saga: load.saga };
}

export interface ChartOptions {
  title?: string;
  /** Horizontal guide lines on the latency panel, e.g. the targets. */
  latencyTargets?: { label: string; ms: number }[];
}

/**
 * A latency/throughput chart as SVG: completed orders/s against offered (with the ideal diagonal),
 * and HTTP and saga p50/p99 against offered on a log scale. Rendered headless with Vega-Lite.
 */
export async function renderChart(points: readonly ChartPoint[], options: ChartOptions = {}): Promise<string> {
  const sorted = [...points].sort((a, b) => a.offered - b.offered);
  const throughput = sorted.flatMap((p) => [
    { offered: p.offered, series: "completed", perSecond: p.completed },
    { offered: p.offered, series: "offered (ideal)", perSecond: p.offered },
  ]);
  const latency = sorted.flatMap((p) =>
    (
      [
        ["HTTP p50", p.http.p50],
        ["HTTP p99", p.http.p99],
        ["saga p50", p.saga.p50],
        ["saga p99", p.saga.p99],
      ] as const
    ).map(([series, ms]) => ({ offered: p.offered, series, ms: Math.max(ms, 0.1) })),
  );
  const offeredAxis = { field: "offered", type: "quantitative", title: "offered orders/s" } as const;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "shop: latency and throughput",
    resolve: { scale: { color: "independent" } },
    hconcat: [
      {
        title: "throughput",
        width: 360,
        height: 260,
        data: { values: throughput },
        mark: { type: "line", point: true },
        encoding: {
          x: offeredAxis,
          y: { field: "perSecond", type: "quantitative", title: "orders/s" },
          color: { field: "series", type: "nominal", title: null },
          strokeDash: { field: "series", type: "nominal", legend: null },
        },
      },
      {
        title: "latency (from intended send time)",
        width: 360,
        height: 260,
        layer: [
          {
            data: { values: latency },
            mark: { type: "line", point: true },
            encoding: {
              x: offeredAxis,
              y: { field: "ms", type: "quantitative", scale: { type: "log" }, title: "ms (log)" },
              color: { field: "series", type: "nominal", title: null },
            },
          },
          {
            data: { values: options.latencyTargets ?? [] },
            mark: { type: "rule", strokeDash: [4, 4], color: "gray" },
            encoding: { y: { field: "ms", type: "quantitative" } },
          },
          {
            data: { values: options.latencyTargets ?? [] },
            mark: { type: "text", align: "left", dx: 4, dy: -6, color: "gray" },
            encoding: { y: { field: "ms", type: "quantitative" }, x: { value: 0 }, text: { field: "label" } },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
