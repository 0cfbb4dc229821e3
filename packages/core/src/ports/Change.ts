import type { NewEvent } from './StoredEvent.ts';
import type { OutgoingMessage } from './OutgoingMessage.ts';

/** Events appended to one stream, if its version is still `expectedVersion` (0 for a new stream). */
export interface StreamAppend {
  readonly entity: string;
  readonly entityId: string;
  readonly expectedVersion: number;
  readonly events: ReadonlyArray<NewEvent>;
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
}

/** A change that writes nothing, to spread and fill in. */
export const emptyChange: Change = Object.freeze({
  appends: [],
  commands: [],
  outgoing: [],
  documents: [],
  checkpoints: [],
});
