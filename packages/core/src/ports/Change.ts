import type { NewEvent } from './StoredEvent.ts';
import type { ConsumerState } from './ConsumerState.ts';
import type { DeadLetter } from './DeadLetter.ts';
import type { OutgoingMessage } from './OutgoingMessage.ts';
import type { ParkedMessage } from './ParkedMessage.ts';
import type { TimerRecord } from './TimerRecord.ts';

/** Events appended to one stream, if its version is still `expectedVersion` (0 for a new stream). */
export interface StreamAppend {
  readonly entity: string;
  readonly entityId: string;
  readonly expectedVersion: number;
  readonly events: ReadonlyArray<NewEvent>;
  /**
   * No consumer reads this stream's entity type in position order (a workflow journal, read by run only): the
   * store need not make its positions visible in order, so appends to it need not wait for each other (PostgreSQL
   * takes no position lock for them).
   */
  readonly unordered?: true;
}

/** The remembered outcome of a command, so a repeated command id returns it and appends nothing. */
export interface CommandRecord {
  readonly commandId: string;
  readonly entity: string;
  readonly entityId: string;
  readonly outcome: StoredOutcome;
}

/** A command outcome as it is stored: JSON-safe. */
export type StoredOutcome =
  | { readonly status: 'accepted'; readonly version: number; readonly eventIds: ReadonlyArray<string> }
  | {
      readonly status: 'rejected';
      readonly code: string;
      readonly message: string;
      readonly details?: Record<string, unknown>;
    };

/** Sets (or, with `doc: null`, deletes) one read-model document. */
export interface DocumentWrite {
  readonly model: string;
  readonly id: string;
  readonly doc: unknown;
}

/**
 * Moves a consumer's checkpoint in one partition of a source, fenced by `expectedVersion`: the write fails with
 * a conflict unless the stored version is still `expectedVersion` (0 when there is no row yet); it stores
 * `expectedVersion + 1`.
 */
export interface CheckpointWrite {
  readonly consumer: string;
  readonly source: string;
  readonly partition: number;
  /** Every message at or below this position is done. */
  readonly position: number;
  readonly expectedVersion: number;
  /**
   * Positions above `position` that are done too (handled out of order because their keys were free).
   * They are remembered so a restart skips them; marks at or below `position` are forgotten.
   */
  readonly doneAbove: ReadonlyArray<number>;
}

/** Adds a message to the tail of its key's parked queue (consumer, source, key), ordered by position. */
export interface ParkWrite {
  readonly consumer: string;
  readonly message: ParkedMessage;
}

/** Removes a message from its key's parked queue. */
export interface UnparkWrite {
  readonly consumer: string;
  readonly source: string;
  readonly key: string;
  readonly position: number;
}

/**
 * Everything one commit writes, atomically: all of it or none of it. Appends are applied in order, so two
 * appends to one stream chain their versions.
 */
export interface Change {
  readonly appends: ReadonlyArray<StreamAppend>;
  readonly commands: ReadonlyArray<CommandRecord>;
  readonly outgoing: ReadonlyArray<OutgoingMessage>;
  readonly documents: ReadonlyArray<DocumentWrite>;
  readonly checkpoints: ReadonlyArray<CheckpointWrite>;
  /** Messages entering parked queues (a key waiting for a retry or an operator). */
  readonly parks: ReadonlyArray<ParkWrite>;
  /** Messages leaving parked queues (handled, dropped). */
  readonly unparks: ReadonlyArray<UnparkWrite>;
  /**
   * Dead letters to insert or replace (by id). Each change to a dead letter also appends one event to its system
   * stream in the same change, which is what detects concurrent changes.
   */
  readonly deadLetters: ReadonlyArray<DeadLetter>;
  /** Dead letters to delete by id (a retried message that succeeded). */
  readonly deadLetterDeletes: ReadonlyArray<string>;
  /** Durable timers to create. */
  readonly timers: ReadonlyArray<TimerRecord>;
  /** Timers fired by this change: deleted; a conflict of kind `timer` when one is already gone. */
  readonly firedTimers: ReadonlyArray<string>;
  /** Consumer run states to set. */
  readonly consumerStates: ReadonlyArray<ConsumerState>;
}

/** A change that writes nothing, to spread and fill in. */
export const emptyChange: Change = Object.freeze({
  appends: [],
  commands: [],
  outgoing: [],
  documents: [],
  checkpoints: [],
  parks: [],
  unparks: [],
  deadLetters: [],
  deadLetterDeletes: [],
  timers: [],
  firedTimers: [],
  consumerStates: [],
});

/** True when a change writes nothing at all (a store may then skip the transaction). */
export function isEmptyChange(change: Change): boolean {
  return (Object.keys(emptyChange) as Array<keyof Change>).every((part) => change[part].length === 0);
}
