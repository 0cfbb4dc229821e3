import { describe, expect, it } from 'vitest';
import { chartSeries } from './chartSeries.ts';

const point = (at: number, processed: number, lag: number) => ({
  at,
  intervalMs: 10_000,
  processed,
  perSecond: processed / 10,
  lag,
  lagSeconds: 0,
});

describe('chartSeries', () => {
  it('lines consumers up on every sampling instant, with gaps where one has no sample', () => {
    const chart = chartSeries(
      [
        { consumer: 'a', source: 'orders', points: [point(10_000, 10, 1), point(30_000, 20, 2)] },
        { consumer: 'b', source: 'entity:show', points: [point(20_000, 5, 0), point(30_000, 0, 7)] },
      ],
      (p) => p.lag,
    );
    expect(chart).toEqual({
      x: [10, 20, 30],
      series: [
        { label: 'a (orders)', values: [1, null, 2] },
        { label: 'b (entity:show)', values: [null, 0, 7] },
      ],
    });
  });
});
