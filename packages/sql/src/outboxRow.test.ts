import { INVALID_HEADERS } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { toOutboxEntry, toOutboxRecord } from './outboxRow.ts';

const row = {
  seq: 7,
  topic: 'orders',
  partition: 1,
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  type: 'Placed',
  key: 'o-1',
  payload: '{"n":1}',
  headers: '{"correlationId":"c-1"}',
  occurred_at: '2026-01-01T00:00:00.000Z',
};

describe('toOutboxRecord', () => {
  it('reads the message of an outbox row', () => {
    expect(toOutboxRecord(row)).toMatchObject({
      seq: 7,
      headers: { correlationId: 'c-1' },
      occurredAt: row.occurred_at,
    });
  });

  it('never throws on header text it cannot read, so the relay is not stuck on the row', () => {
    expect(toOutboxRecord({ ...row, headers: '{not json' }).headers).toEqual({
      [INVALID_HEADERS]: '{not json',
    });
  });
});

describe('toOutboxEntry', () => {
  it('reads a set-aside row whose stored error is not JSON, so listing the outbox still works', () => {
    const entry = toOutboxEntry({
      ...row,
      status: 'failed',
      attempts: 1,
      error: 'oops',
      failed_at: '2026-01-01T00:00:01.000Z',
      acted_by: null,
      acted_at: null,
    });
    expect(entry.error).toEqual({
      name: 'UnreadableError',
      message: 'the stored error is not readable: oops',
    });
  });
});
