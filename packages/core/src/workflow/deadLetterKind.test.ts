import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../ports/DeadLetter.ts';
import { deadLetterKind } from './deadLetterKind.ts';

const letter = (consumer: string, message: Partial<DeadLetter['message']>): DeadLetter =>
  ({
    consumer,
    message: { type: 'Wake', source: 'payments.workflows', key: 'p-1', payload: '{}', ...message },
  }) as DeadLetter;

describe('deadLetterKind', () => {
  it('names the workflow and run of a parked run', () => {
    const wake = JSON.stringify({ workflow: 'payout', runId: 'p-1', reason: 'start' });
    expect(deadLetterKind(letter('payments.workflows', { payload: wake }))).toEqual({
      kind: 'workflow',
      workflow: 'payout',
      runId: 'p-1',
    });
  });

  it('takes anything else for a message: other types, other consumers of the topic, other payloads', () => {
    const wake = JSON.stringify({ workflow: 'payout', runId: 'p-1' });
    expect(deadLetterKind(letter('payments.workflows', { payload: wake, type: 'Other' })).kind).toBe(
      'message',
    );
    expect(deadLetterKind(letter('audit', { payload: wake })).kind).toBe('message');
    expect(deadLetterKind(letter('payments.workflows', { payload: 'not json' })).kind).toBe('message');
    expect(deadLetterKind(letter('orders', { source: 'orders', payload: wake })).kind).toBe('message');
  });
});
