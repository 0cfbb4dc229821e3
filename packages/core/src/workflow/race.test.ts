import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTopic } from '../topic/defineTopic.ts';
import type { InboxMessage } from './Journal.ts';
import { decideRace } from './race.ts';

const approvals = defineTopic({
  name: 'approvals',
  partitions: 1,
  messages: { Approved: z.object({ by: z.string() }) },
});
const message = (id: string, by: string): InboxMessage => ({
  id,
  type: 'Approved',
  key: 'o-1',
  payload: { by },
  headers: {},
  occurredAt: '2026-01-01T00:00:00.000Z',
  source: 'approvals',
});
const branches = {
  approved: {
    waitFor: approvals,
    match: (m: { payload: unknown }) => (m.payload as { by: string }).by !== 'nobody',
  },
  expired: { sleep: 1000 },
};
const plan = [
  { key: 'approved', topic: 'approvals', dueAt: null },
  { key: 'expired', topic: null, dueAt: 2000 },
];

describe('decideRace', () => {
  it('waits while nothing has happened, and ignores messages the wait does not match', () => {
    const inbox = [message('m-1', 'nobody')];
    expect(decideRace(plan, branches, { startedAt: 1000, now: 1500, inbox, receivedAt: new Map() })).toBe(
      undefined,
    );
  });

  it('gives the race to whichever happened first, even when both are seen at once', () => {
    const inbox = [message('m-1', 'grace')];
    const seenLate = { startedAt: 1000, now: 5000, inbox };
    expect(decideRace(plan, branches, { ...seenLate, receivedAt: new Map([['m-1', 1900]]) })).toEqual({
      key: 'approved',
      at: 1900,
      messageId: 'm-1',
    });
    expect(decideRace(plan, branches, { ...seenLate, receivedAt: new Map([['m-1', 2100]]) })).toEqual({
      key: 'expired',
      at: 2000,
      messageId: null,
    });
  });

  it('counts a message that came before the race from the race’s start, and a tie goes to the first branch', () => {
    const inbox = [message('m-1', 'grace')];
    const early = decideRace(plan, branches, {
      startedAt: 2000,
      now: 2000,
      inbox,
      receivedAt: new Map([['m-1', 10]]),
    });
    expect(early).toEqual({ key: 'approved', at: 2000, messageId: 'm-1' });
  });
});
