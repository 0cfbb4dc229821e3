import type { ConsumerHistory, ConsumerHistoryPoint } from '@parley/core';

/** One chart's data as uPlot takes it: shared x values (seconds since the epoch) and one series per consumer. */
export interface ChartSeries {
  readonly x: number[];
  readonly series: Array<{ label: string; values: Array<number | null> }>;
}

/**
 * Lines up consumers' histories on the union of their sampling instants (a consumer with no sample at an
 * instant has a gap there), picking one value of each point.
 */
export function chartSeries(
  histories: ReadonlyArray<ConsumerHistory>,
  value: (point: ConsumerHistoryPoint) => number,
): ChartSeries {
  const instants = [...new Set(histories.flatMap((h) => h.points.map((p) => p.at)))].sort((a, b) => a - b);
  return {
    x: instants.map((at) => at / 1000),
    series: histories.map((h) => {
      const byAt = new Map(h.points.map((p) => [p.at, value(p)]));
      return {
        label: h.source === '' ? h.consumer : `${h.consumer} (${h.source})`,
        values: instants.map((at) => byAt.get(at) ?? null),
      };
    }),
  };
}
