import type { StoredOutcome } from '../ports/Change.ts';
import type { CommandOutcome } from './CommandOutcome.ts';

/** The outcome returned for a command id that was executed before: the first outcome, marked duplicate. */
export function replayOutcome(outcome: StoredOutcome, entityId: string, commandId: string): CommandOutcome {
  if (outcome.status === 'rejected') {
    const { code, message, details } = outcome;
    return {
      status: 'rejected',
      entityId,
      commandId,
      rejection: details === undefined ? { code, message } : { code, message, details },
      duplicate: true,
    };
  }
  return { status: 'accepted', entityId, commandId, version: outcome.version, events: [], duplicate: true };
}
