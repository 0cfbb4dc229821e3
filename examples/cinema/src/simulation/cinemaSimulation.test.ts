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

  it('keeps them when told as an orchestration: a workflow run per reservation, under every fault', async () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const report = await simulate({
        ...cinemaSimulation({ seed, faults: ALL_FAULTS, orchestrated: true, reservations: 20 }),
        logger: silentLogger,
        shrink: false,
      });
      if (!report.ok) failed.push(`${report.replay}: ${report.violations.join('; ')}`);
    }
    expect(failed).toEqual([]);
  });
});
