import * as hdr from "hdr-histogram-js";

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Samples slower than 50 ms: the HTTP target, and a bucket bound of the services' own histogram. */
  over50Ms: number;
}

/** Latencies in microseconds, 1 µs to 10 min at 3 significant digits; summaries in milliseconds. */
export function createLatencyHistogram() {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  let over50Ms = 0;
  return {
    recordMs: (ms: number) => {
      histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
      if (ms > 50) over50Ms++;
    },
    summary: (): LatencySummary => {
      const ms = (us: number) => Math.round(us) / 1000;
      return {
        count: histogram.totalCount,
        p50: ms(histogram.getValueAtPercentile(50)),
        p90: ms(histogram.getValueAtPercentile(90)),
        p99: ms(histogram.getValueAtPercentile(99)),
        p999: ms(histogram.getValueAtPercentile(99.9)),
        max: ms(histogram.maxValue),
        mean: ms(histogram.mean),
        over50Ms,
      };
    },
  };
}
