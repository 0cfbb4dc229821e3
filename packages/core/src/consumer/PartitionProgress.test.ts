import { describe, expect, it } from 'vitest';
import { PartitionProgress } from './PartitionProgress.ts';

describe('PartitionProgress', () => {
  it('moves the checkpoint only over a done prefix and marks the rest', () => {
    const progress = new PartitionProgress(0, undefined);
    for (const position of [3, 5, 9, 12]) progress.track(position);
    const write = progress.plan('c', 's', [5, 12]);
    expect(write).toMatchObject({ position: 0, doneAbove: [5, 12], expectedVersion: 0 });
    progress.confirm(write, [5, 12]);
    const next = progress.plan('c', 's', [3]);
    expect(next).toMatchObject({ position: 5, doneAbove: [], expectedVersion: 1 });
    progress.confirm(next, [3]);
    expect(progress.checkpoint).toBe(5);
    expect(progress.inFlight).toBe(2);
    const last = progress.plan('c', 's', [9]);
    expect(last).toMatchObject({ position: 12 });
  });

  it('skips positions that were done before a restart', () => {
    const progress = new PartitionProgress(0, { partition: 0, position: 10, version: 4, doneAbove: [14] });
    expect(progress.track(12)).toBe(true);
    expect(progress.track(14)).toBe(false);
    expect(progress.plan('c', 's', [12])).toMatchObject({ position: 14, expectedVersion: 4, doneAbove: [] });
  });

  it('reverts a failed plan so the positions commit later', () => {
    const progress = new PartitionProgress(0, undefined);
    progress.track(1);
    progress.plan('c', 's', [1]);
    progress.revert([1]);
    expect(progress.checkpoint).toBe(0);
    expect(progress.plan('c', 's', [1])).toMatchObject({ position: 1 });
  });
});
