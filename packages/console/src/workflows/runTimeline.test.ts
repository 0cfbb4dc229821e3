import type { Journal, JournalEntry } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { timeline } from './runTimeline.ts';

const error = { name: 'Error', message: 'bank offline' };

function journal(entries: Array<[number, JournalEntry]>): Journal {
  return {
    version: entries.length,
    entries: entries.map(([ms, entry]) => ({ entry, at: new Date(ms).toISOString() })),
    started: true,
    input: {},
    status: 'running',
    output: undefined,
    error: undefined,
  };
}

describe('the workflow timeline', () => {
  it('says how long each step attempt, timer and wait took', () => {
    const lines = timeline(
      journal([
        [1000, { type: 'WorkflowStarted', input: {} }],
        [1040, { type: 'StepFailed', seq: '1', name: 'pay', attempt: 1, error, retryAt: 5000 }],
        [5030, { type: 'StepCompleted', seq: '1', name: 'pay', result: 1 }],
        [5031, { type: 'TimerStarted', seq: '2', name: 'sleep', dueAt: 6000 }],
        [6010, { type: 'TimerFired', seq: '2' }],
        [6011, { type: 'WaitStarted', seq: '3', name: 'ok', topic: 't', dueAt: null, requestId: null }],
        [7011, { type: 'WaitResolved', seq: '3', messageId: 'm' }],
      ]),
    );
    expect(lines.map((l) => [l.what, l.tookMs])).toEqual([
      ['WorkflowStarted', null],
      ['StepFailed', 40],
      ['StepCompleted', 30],
      ['TimerStarted', null],
      ['TimerFired', 979],
      ['WaitStarted', null],
      ['WaitResolved', 1000],
    ]);
  });
});
