import type { EntityEvent } from './defineEntity.ts';
import type { SchemaMap } from '../schema/validate.ts';

/** The outcome of a command: accepted with the events it appended, or rejected with a domain error. */
export type CommandOutcome<E extends SchemaMap = SchemaMap, R extends string = string> =
  | {
      readonly status: 'accepted';
      readonly entityId: string;
      readonly commandId: string;
      /** The stream's version after the command. */
      readonly version: number;
      /** The events this call appended: empty for a duplicate. */
      readonly events: ReadonlyArray<EntityEvent<E>>;
      /** True when the command id had been executed before: nothing was appended this time. */
      readonly duplicate: boolean;
    }
  | {
      readonly status: 'rejected';
      readonly entityId: string;
      readonly commandId: string;
      readonly rejection: {
        readonly code: R;
        readonly message: string;
        readonly details?: Record<string, unknown>;
      };
      readonly duplicate: boolean;
    };
