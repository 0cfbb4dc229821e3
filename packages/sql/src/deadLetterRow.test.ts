import { INVALID_HEADERS, type DeadLetter } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_COLUMNS, toDeadLetter, toDeadLetterRow } from './deadLetterRow.ts';

const letter: DeadLetter = {
  id: '01J0000000000000000000000A',
  consumer: 'wallet-charger',
  message: {
    id: '01J0000000000000000000000B',
    type: 'SeatReserved',
    key: 'r-1',
    payload: '{"seat":"A1"}',
    headers: { correlationId: 'c' },
    occurredAt: '2026-01-01T00:00:00.000Z',
    source: 'show-events',
    partition: 2,
    position: 41,
  },
  status: 'retrying',
  reason: 'failed',
  attempts: 3,
  error: { name: 'Error', message: 'boom' },
  firstFailedAt: '2026-01-01T00:00:01.000Z',
  lastFailedAt: '2026-01-01T00:00:02.000Z',
  action: 'retry',
  dueAt: 1000.2,
  edits: [],
  version: 2,
  updatedAt: '2026-01-01T00:00:02.000Z',
};

describe('dead-letter rows', () => {
  it('round-trip, with the message’s filter fields in columns and a due time rounded up', () => {
    const row = toDeadLetterRow(letter);
    expect(Object.keys(row).sort()).toEqual([...DEAD_LETTER_COLUMNS].sort());
    expect(row).toMatchObject({
      source: 'show-events',
      partition: 2,
      position: 41,
      key: 'r-1',
      due_at: 1001,
    });
    expect(toDeadLetter(row)).toEqual({ ...letter, dueAt: 1001 });
  });

  it('refuses an action without a due time, which would block its key for ever', () => {
    expect(() => toDeadLetterRow({ ...letter, dueAt: null })).toThrow(/needs a dueAt/);
  });
});

describe('a damaged dead-letter row', () => {
  it('is read for what it is instead of failing the read of every row', () => {
    const row = { ...toDeadLetterRow(letter), message: '{cut', error: 'not json', edits: '{"x":1}' };
    const read = toDeadLetter(row);
    expect(read.message).toMatchObject({
      id: letter.message.id,
      type: 'SeatReserved',
      key: 'r-1',
      source: 'show-events',
      partition: 2,
      position: 41,
      payload: '{cut',
      headers: { [INVALID_HEADERS]: '{cut' },
    });
    expect(read.error).toEqual({
      name: 'UnreadableError',
      message: 'the stored error is not readable: not json',
    });
    expect(read.edits).toEqual([]);
  });
});
