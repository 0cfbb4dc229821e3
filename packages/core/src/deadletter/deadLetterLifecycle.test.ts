import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors/ParleyError.ts';
import type { DeadLetter, DeadLetterAction, DeadLetterStatus } from '../ports/DeadLetter.ts';
import { discard, edit, holdsItsKey, redrive, type Transition } from './deadLetterLifecycle.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function letter(status: DeadLetterStatus, action: DeadLetterAction | null = null): DeadLetter {
  return {
    id: 'dl-1',
    consumer: 'mailer',
    message: {
      id: 'm-1',
      type: 'OrderPlaced',
      key: 'o-1',
      payload: '{"order":"o-1"}',
      headers: {},
      occurredAt: '2025-12-31T00:00:00.000Z',
      source: 'orders',
      partition: 0,
      position: 7,
    },
    status,
    reason: 'failed',
    attempts: 3,
    error: { name: 'Error', message: 'down' },
    firstFailedAt: '2025-12-31T00:00:00.000Z',
    lastFailedAt: '2025-12-31T00:00:01.000Z',
    action,
    dueAt: null,
    edits: [],
    version: 2,
    updatedAt: '2025-12-31T00:00:01.000Z',
  };
}

/** A transition in a few words: `redriven/retry`, `already`, or the refusal's code. */
function outcome(transition: Transition): string {
  if (transition === 'already') return 'already';
  if (isParleyError(transition)) return transition.code;
  const { status, action } = transition.deadLetter;
  return `${status}/${action ?? '-'}`;
}

const STATES: Array<[DeadLetterStatus, DeadLetterAction | null]> = [
  ['retrying', 'retry'],
  ['parked', null],
  ['redriven', 'retry'],
  ['redriven', 'replay'],
  ['redriven', null],
  ['discarded', 'drop'],
  ['discarded', null],
  ['skipped', null],
  ['escalated', null],
];

describe('the dead-letter lifecycle', () => {
  it('holds a key exactly while its message is the head of the key’s parked queue', () => {
    expect(STATES.map(([s, a]) => [`${s}/${a ?? '-'}`, holdsItsKey(letter(s, a))])).toEqual([
      ['retrying/retry', true],
      ['parked/-', true],
      ['redriven/retry', true],
      ['redriven/replay', false],
      ['redriven/-', false],
      ['discarded/drop', true],
      ['discarded/-', false],
      ['skipped/-', false],
      ['escalated/-', false],
    ]);
  });

  it('redrive: heads are retried in their queue, released messages replayed, the rest refused or already done', () => {
    expect(STATES.map(([s, a]) => [`${s}/${a ?? '-'}`, outcome(redrive(letter(s, a), 'ops', NOW))])).toEqual([
      ['retrying/retry', 'redriven/retry'],
      ['parked/-', 'redriven/retry'],
      ['redriven/retry', 'already'],
      ['redriven/replay', 'already'],
      ['redriven/-', 'NOT_REDRIVABLE'],
      ['discarded/drop', 'NOT_REDRIVABLE'],
      ['discarded/-', 'NOT_REDRIVABLE'],
      ['skipped/-', 'redriven/replay'],
      ['escalated/-', 'redriven/replay'],
    ]);
  });

  it('discard: what holds its key is dropped by the consumer; a pending replay is cancelled on the spot', () => {
    expect(STATES.map(([s, a]) => [`${s}/${a ?? '-'}`, outcome(discard(letter(s, a), 'ops', NOW))])).toEqual([
      ['retrying/retry', 'discarded/drop'],
      ['parked/-', 'discarded/drop'],
      ['redriven/retry', 'discarded/drop'],
      ['redriven/replay', 'discarded/-'],
      ['redriven/-', 'NOT_DISCARDABLE'],
      ['discarded/drop', 'already'],
      ['discarded/-', 'already'],
      ['skipped/-', 'NOT_DISCARDABLE'],
      ['escalated/-', 'NOT_DISCARDABLE'],
    ]);
  });

  it('a redrive starts a fresh retry budget, due now, and records who did it on the system stream', () => {
    const change = redrive(letter('parked'), 'ops', NOW);
    if (change === 'already' || isParleyError(change)) throw new Error('expected a change');
    expect(change.deadLetter).toMatchObject({ attempts: 0, dueAt: NOW, version: 3 });
    expect(change.append).toMatchObject({
      entity: 'parley-dead-letters',
      entityId: 'dl-1',
      expectedVersion: 2,
      events: [{ type: 'DeadLetterRedriven', data: { by: 'ops', status: 'redriven' } }],
    });
  });

  it('edit: audits before and after, redrives with the new payload, and refuses a dead letter changed since seen', () => {
    const change = edit(
      letter('escalated'),
      { payload: '{"order":"o-2"}', by: 'ops', reason: 'typo', seen: 2 },
      NOW,
    );
    if (change === 'already' || isParleyError(change)) throw new Error('expected a change');
    expect(change.deadLetter).toMatchObject({
      status: 'redriven',
      action: 'replay',
      message: { payload: '{"order":"o-2"}' },
      edits: [{ by: 'ops', reason: 'typo', before: '{"order":"o-1"}', after: '{"order":"o-2"}' }],
    });
    expect(outcome(edit(letter('parked'), { payload: '{}', by: 'ops', seen: 1 }, NOW))).toBe('CHANGED');
    expect(outcome(edit(letter('discarded'), { payload: '{}', by: 'ops', seen: 2 }, NOW))).toBe(
      'NOT_EDITABLE',
    );
  });
});
