import { defineEntity } from '../entity/defineEntity.ts';
import type { DeadLetterReason, DeadLetterStatus, ErrorRecord } from '../ports/DeadLetter.ts';
import { objectSchema } from '../schema/objectSchema.ts';

/** Fields every dead-letter event carries. */
export interface DeadLetterEventBase {
  deadLetterId: string;
  consumer: string;
  messageId: string;
  type: string;
  key: string;
  status: DeadLetterStatus;
}

export type MessageFailed = DeadLetterEventBase & {
  reason: DeadLetterReason;
  attempts: number;
  error: ErrorRecord;
  /** ms since the epoch of the next retry, when one is scheduled. */
  retryAt: number | null;
};
export type MessageRecovered = DeadLetterEventBase & { attempts: number };
export type DeadLetterRedriven = DeadLetterEventBase & { by: string };
export type DeadLetterEdited = DeadLetterEventBase & {
  by: string;
  reason: string | null;
  before: string;
  after: string;
};
export type DeadLetterDiscarded = DeadLetterEventBase & { by: string };
export type MessageDropped = DeadLetterEventBase;

/**
 * The system stream of dead-letter operations: one stream per dead letter, one event per change. Subscribe a
 * consumer to it (`source: deadLetterEvents`) to react to failures — for example to turn a failed charge into a
 * `WalletChargeFailed` domain event. It is written by the runtime only; it accepts no commands.
 */
export const deadLetterEvents = defineEntity({
  name: 'parley-dead-letters',
  initialState: () => null,
  commands: { Never: objectSchema<Record<string, never>>() },
  events: {
    MessageFailed: objectSchema<MessageFailed>(),
    MessageRecovered: objectSchema<MessageRecovered>(),
    DeadLetterRedriven: objectSchema<DeadLetterRedriven>(),
    DeadLetterEdited: objectSchema<DeadLetterEdited>(),
    DeadLetterDiscarded: objectSchema<DeadLetterDiscarded>(),
    MessageDropped: objectSchema<MessageDropped>(),
  },
  decide: () => undefined,
  evolve: (state) => state,
});
