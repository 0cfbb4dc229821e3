import { defineEntity, defineReadModel, defineTopic, publishTo, reject, type EventOf } from '@parley/core';
import { z } from 'zod';

/** Numbered messages, keyed: the suite checks order and completeness with them. */
export const numbers = defineTopic({
  name: 'conformance-numbers',
  partitions: 4,
  messages: {
    Numbered: z.object({ key: z.string(), seq: z.number().int(), delayMs: z.number().optional() }),
  },
});

export const echoes = defineTopic({
  name: 'conformance-echoes',
  partitions: 2,
  messages: { Echoed: z.object({ key: z.string(), seq: z.number().int() }) },
});

export const accountEvents = defineTopic({
  name: 'conformance-accounts',
  partitions: 4,
  messages: { Deposited: z.object({ accountId: z.string(), amount: z.number().positive() }) },
});

/** An account that counts deposits and refuses to go above a limit. */
export const account = defineEntity({
  name: 'conformance-account',
  initialState: () => ({ balance: 0, deposits: 0, seen: [] as number[] }),
  commands: {
    Deposit: z.object({ amount: z.number().positive(), seq: z.number().int().optional() }),
  },
  events: { Deposited: z.object({ amount: z.number(), seq: z.number().int().optional() }) },
  rejections: ['LimitExceeded'],
  decide: (state, command) => {
    if (state.balance + command.data.amount > 1_000_000)
      return reject('LimitExceeded', { balance: state.balance });
    return { type: 'Deposited', data: command.data };
  },
  evolve: (state, event) => ({
    balance: state.balance + event.data.amount,
    deposits: state.deposits + 1,
    seen: event.data.seq === undefined ? state.seen : [...state.seen, event.data.seq],
  }),
});

export const accountPublication = publishTo(
  accountEvents,
  (event: EventOf<typeof account>, { entityId }) => ({
    type: 'Deposited',
    key: entityId,
    payload: { accountId: entityId, amount: event.data.amount },
  }),
);

/** Per-key progress, written by projections. */
export const progress = defineReadModel({
  name: 'conformance-progress',
  schema: z.object({ key: z.string(), last: z.number().int(), count: z.number().int() }),
});
