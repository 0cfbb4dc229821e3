import { describe, expectTypeOf, it } from 'vitest';
import { defineEntity } from '../entity/defineEntity.ts';
import { reject } from '../entity/reject.ts';
import { objectSchema } from '../schema/objectSchema.ts';
import { defineTopic } from '../topic/defineTopic.ts';
import { defineReplyTopic, type CommandRejected } from '../reply/defineReplyTopic.ts';
import { normaliseConsumer, type ConsumerOptions, type FailureFacts } from './defineConsumer.ts';

const shows = defineTopic({
  name: 'shows',
  messages: {
    SeatReserved: objectSchema<{ reservationId: string; walletId: string; amount: number }>(),
    ReservationCancelled: objectSchema<{ reservationId: string; reason: string }>(),
  },
});

const wallet = defineEntity({
  name: 'wallet',
  initialState: () => ({ balance: 0 }),
  commands: { Charge: objectSchema<{ amount: number }>() },
  events: { Charged: objectSchema<{ amount: number }>() },
  rejections: ['InsufficientFunds', 'WalletClosed'],
  decide: (state, command) =>
    state.balance < command.data.amount
      ? reject('InsufficientFunds')
      : { type: 'Charged', data: { amount: command.data.amount } },
  evolve: (state, event) => ({ balance: state.balance - event.data.amount }),
});

describe('failure handler types', () => {
  it('onExhausted and onDomainError get the message as the source types it, and the failure facts', () => {
    const options: ConsumerOptions<typeof shows> = {
      name: 'charger',
      source: shows,
      retry: { onExhausted: 'escalate' },
      handle: {},
      onExhausted: (message, failure) => {
        expectTypeOf(message.type).toEqualTypeOf<'SeatReserved' | 'ReservationCancelled'>();
        if (message.type === 'SeatReserved') expectTypeOf(message.payload.walletId).toEqualTypeOf<string>();
        expectTypeOf(failure).toEqualTypeOf<FailureFacts>();
        expectTypeOf(failure.attempts).toEqualTypeOf<number>();
        expectTypeOf(failure.firstFailedAt).toEqualTypeOf<string>();
        expectTypeOf(failure.error).toEqualTypeOf<Error>();
      },
      onDomainError: (message, { error }) => {
        expectTypeOf(message.payload).toEqualTypeOf<
          | { reservationId: string; walletId: string; amount: number }
          | { reservationId: string; reason: string }
        >();
        expectTypeOf(error).toEqualTypeOf<Error>();
      },
    };
    normaliseConsumer(options);
  });

  it('types a reply topic’s rejection codes by the entity it answers for', () => {
    const typed = defineReplyTopic('wallet-replies', { entity: wallet });
    const untyped = defineReplyTopic('any-replies');
    const options: ConsumerOptions<typeof typed> = {
      name: 'replies',
      source: typed,
      handle: {
        CommandRejected: ({ payload }) => {
          expectTypeOf(payload.rejection.code).toEqualTypeOf<'InsufficientFunds' | 'WalletClosed'>();
          expectTypeOf(payload).toEqualTypeOf<CommandRejected<'InsufficientFunds' | 'WalletClosed'>>();
        },
      },
    };
    normaliseConsumer(options);
    normaliseConsumer({
      name: 'any',
      source: untyped,
      handle: {
        CommandRejected: ({ payload }) => {
          expectTypeOf(payload.rejection.code).toEqualTypeOf<string>();
        },
      },
    });
  });
});
