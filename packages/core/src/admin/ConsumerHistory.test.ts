import { describe, expect, it } from 'vitest';
import type { ConsumerSample } from '../ports/ConsumerSample.ts';
import { historyOf } from './ConsumerHistory.ts';

const base = { consumer: 'c', source: 'orders', intervalMs: 10_000, lagSeconds: 0 };

describe('historyOf', () => {
  it('sums partitions per interval: processed and lag add up, the lag in seconds is the oldest', () => {
    const samples: ConsumerSample[] = [
      { ...base, partition: 0, at: 0, processed: 30, lag: 2, lagSeconds: 1 },
      { ...base, partition: 1, at: 0, processed: 20, lag: 3, lagSeconds: 4 },
      { ...base, partition: 0, at: 10_000, processed: 5, lag: 0 },
      { ...base, source: 'entity:show', partition: 0, at: 0, processed: 1, lag: 0 },
    ];
    expect(historyOf(samples)).toEqual([
      {
        consumer: 'c',
        source: 'orders',
        points: [
          { at: 0, intervalMs: 10_000, processed: 50, perSecond: 5, lag: 5, lagSeconds: 4 },
          { at: 10_000, intervalMs: 10_000, processed: 5, perSecond: 0.5, lag: 0, lagSeconds: 0 },
        ],
      },
      {
        consumer: 'c',
        source: 'entity:show',
        points: [{ at: 0, intervalMs: 10_000, processed: 1, perSecond: 0.1, lag: 0, lagSeconds: 0 }],
      },
    ]);
  });
});
