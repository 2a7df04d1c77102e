export { type ChartOptions, type ChartPoint, chartPointOf, renderChart } from "./chart.js";
export { createLatencyHistogram, type LatencySummary } from "./histogram.js";
export { DEFAULT_MIX, type OrderMix, orderFor, SOLD_OUT_SKU } from "./mix.js";
export { formatResult } from "./report.js";
export { type LoadOptions, type LoadResult, runLoad } from "./run.js";
