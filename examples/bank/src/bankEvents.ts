import { defineTopic, publishTo, type EventOf } from '@parley/core';
import { z } from 'zod';
import { account } from './account.ts';

/** The bank's public contract: account movements. */
export const bankEvents = defineTopic({
  name: 'bank-events',
  partitions: 4,
  messages: {
    MoneyMoved: z.object({ accountId: z.string(), delta: z.number().int() }),
  },
});

/** Every account event becomes a `MoneyMoved` message, in the same transaction as the event. */
export const publishMovements = publishTo(bankEvents, (event: EventOf<typeof account>, { entityId }) => ({
  type: 'MoneyMoved',
  key: entityId,
  payload: {
    accountId: entityId,
    delta: event.type === 'Deposited' ? event.data.amount : -event.data.amount,
  },
}));

export { account };
