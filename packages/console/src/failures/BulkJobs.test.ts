import { ParleyError, silentLogger, type Admin, type BulkResult, type DeadLetter } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { BulkJobs, planBulk, type BulkJobView } from './BulkJobs.ts';

const letter = (id: string, status: DeadLetter['status'] = 'parked') => ({ id, status }) as DeadLetter;

/** An admin API whose redrive refuses `refused` ids and records the others, optionally slowly. */
function fakeAdmin(refused: ReadonlySet<string> = new Set()): { admin: Admin; redriven: string[] } {
  const redriven: string[] = [];
  const admin = {
    deadLetters: {
      redrive: (id: string): Promise<BulkResult> => {
        if (refused.has(id)) return Promise.reject(new ParleyError('NOT_REDRIVABLE', `${id} is discarded`));
        redriven.push(id);
        return Promise.resolve({ changed: [letter(id, 'redriven')], untouched: [], untouchedBy: {} });
      },
    },
  } as unknown as Admin;
  return { admin, redriven };
}

async function finished(jobs: BulkJobs, id: string): Promise<BulkJobView> {
  for (;;) {
    const job = jobs.get(id)!;
    if (job.state !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('bulk jobs', () => {
  it('plan what an action takes, by status', () => {
    const members = [letter('a'), letter('b', 'escalated'), letter('c', 'discarded')];
    expect(planBulk(members, 'redrive')).toMatchObject({
      members: 3,
      count: 2,
      ids: ['a', 'b'],
      skippedBy: { discarded: 1 },
    });
    expect(planBulk(members, 'discard')).toMatchObject({ count: 1, ids: ['a'], skipped: 2 });
  });

  it('act on each id, count refusals, and warn of failures that joined the group meanwhile', async () => {
    const { admin, redriven } = fakeAdmin(new Set(['b']));
    const jobs = new BulkJobs(admin, silentLogger, 1000);
    const started = jobs.start({
      action: 'redrive',
      group: 'g',
      ids: ['a', 'b', 'c'],
      by: 'alice',
      regroup: () => Promise.resolve([letter('b', 'discarded'), letter('d')]),
    });
    expect(started).toMatchObject({ state: 'running', total: 3, by: 'alice' });
    const job = await finished(jobs, started.id);
    expect(redriven).toEqual(['a', 'c']);
    expect(job).toMatchObject({
      state: 'done',
      done: 3,
      changed: 2,
      untouched: 1,
      untouchedBy: { 'not-applicable': 1 },
      joined: 1,
      remaining: 2,
    });
  });

  it('keep to the rate cap, and stop when aborted', async () => {
    const { admin, redriven } = fakeAdmin();
    const jobs = new BulkJobs(admin, silentLogger, 1000);
    const ids = Array.from({ length: 50 }, (_, i) => `dl-${i}`);
    const began = Date.now();
    const started = jobs.start({
      action: 'redrive',
      group: 'g',
      ids,
      by: 'alice',
      rate: 20,
      regroup: () => Promise.resolve([]),
    });
    await new Promise((resolve) => setTimeout(resolve, 180));
    jobs.abort(started.id);
    const job = await finished(jobs, started.id);
    expect(job.state).toBe('aborted');
    // 20 a second: about 4 in 180 ms, never all 50.
    expect(redriven.length).toBeGreaterThanOrEqual(2);
    expect(redriven.length).toBeLessThanOrEqual(Math.ceil(((Date.now() - began) / 1000) * 20) + 1);
    expect(job.summary).toMatch(/^Aborted after \d+ of 50/);
    // The console's rate is a cap: asking for more gets the cap.
    const capped = new BulkJobs(admin, silentLogger, 10).start({
      action: 'redrive',
      group: 'g',
      ids: [],
      by: 'alice',
      rate: 1000,
      regroup: () => Promise.resolve([]),
    });
    expect(capped.rate).toBe(10);
  });
});
