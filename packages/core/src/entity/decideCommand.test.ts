import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../errors/DomainError.ts';
import { newMessageId } from '../ids/MessageId.ts';
import { decideCommand } from './decideCommand.ts';
import { defineEntity } from './defineEntity.ts';
import { reject } from './reject.ts';

const counter = defineEntity({
  name: 'counter',
  initialState: () => ({ total: 0 }),
  commands: { Add: z.object({ n: z.number() }), Fail: z.object({}) },
  events: { Added: z.object({ n: z.number() }) },
  rejections: ['TooLarge', 'Refused'],
  decide: (state, command) => {
    if (command.type === 'Fail') throw new DomainError('Refused', 'no');
    if (state.total + command.data.n > 10) return reject('TooLarge', { total: state.total });
    return [{ type: 'Added', data: { n: command.data.n } }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.n }),
});

const input = { entityId: 'c1', commandId: 'cmd', now: 0, metadata: {}, eventId: () => newMessageId() };

describe('decideCommand', () => {
  it('folds accepted events into the new state', () => {
    const decided = decideCommand(
      counter,
      { state: { total: 1 }, version: 3 },
      { type: 'Add', data: { n: 2 } },
      input,
    );
    expect(decided).toMatchObject({ status: 'accepted', after: { state: { total: 3 }, version: 4 } });
  });

  it('returns rejections, including thrown domain errors, without events', () => {
    expect(
      decideCommand(counter, { state: { total: 9 }, version: 1 }, { type: 'Add', data: { n: 5 } }, input),
    ).toEqual({
      status: 'rejected',
      rejection: { code: 'TooLarge', message: 'TooLarge', details: { total: 9 } },
    });
    expect(
      decideCommand(counter, { state: { total: 0 }, version: 0 }, { type: 'Fail', data: {} }, input),
    ).toMatchObject({
      status: 'rejected',
      rejection: { code: 'Refused', message: 'no' },
    });
  });
});
