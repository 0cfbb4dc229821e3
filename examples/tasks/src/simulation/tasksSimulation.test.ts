import { silentLogger } from '@parley/core';
import { ALL_FAULTS, simulate } from '@parley/testing/simulation';
import { describe, expect, it } from 'vitest';
import { tasksSimulation } from './tasksSimulation.ts';

describe('the task-claiming story under simulation', () => {
  it('keeps its invariants under every fault, seed after seed', async () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const report = await simulate({
        ...tasksSimulation({ seed, faults: ALL_FAULTS }),
        logger: silentLogger,
      });
      if (!report.ok) failed.push(`${report.replay}: ${report.violations.join('; ')}`);
    }
    expect(failed).toEqual([]);
  });
});
