import { silentLogger } from '@parley/core';
import { ALL_FAULTS, simulate } from '@parley/testing/simulation';
import { describe, expect, it } from 'vitest';
import { cinemaSimulation } from './cinemaSimulation.ts';

describe('the cinema story under simulation', () => {
  it('keeps its invariants under every fault, seed after seed', async () => {
    const failed: string[] = [];
    let messages = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const report = await simulate({
        ...cinemaSimulation({ seed, faults: ALL_FAULTS }),
        logger: silentLogger,
      });
      messages += report.messages;
      if (!report.ok) failed.push(`${report.replay}: ${report.violations.join('; ')}`);
    }
    expect(failed).toEqual([]);
    expect(messages).toBeGreaterThan(20 * 40);
  });
});
