import { ParleyError } from '../errors/ParleyError.ts';
import type { DeadLetter, DeadLetterEdit, DeadLetterStatus } from '../ports/DeadLetter.ts';
import { deadLetterChange, type DeadLetterChange } from './deadLetterChange.ts';

/**
 * The dead-letter state machine, as operators drive it: what a redrive, a discard or an edit does to a dead letter
 * in each state, decided without I/O. Each returns the change to commit, `'already'` when the state asked for
 * holds (another operator got there first), or the refusal to report.
 *
 * ```
 * retrying ─┐                      ┌─ retry (consumer) ─▶ handled: record kept, action cleared
 * parked ───┼── redrive / edit ──▶ redriven
 * escalated ┤                      └─ replay (consumer) ─▶ handled, or back to its status on failure
 * skipped ──┘
 * retrying / parked / redriven(retry) ── discard ──▶ discarded (drop: the consumer takes it out of its queue)
 * redriven(replay) ── discard ──▶ discarded (nothing for the consumer to do)
 * ```
 */
export type Transition = DeadLetterChange | 'already' | ParleyError;

/** Statuses whose message is at the head of its key's parked queue, blocking the key. */
const BLOCKING: ReadonlyArray<DeadLetterStatus> = ['parked', 'retrying'];
/** Statuses whose message is in no queue any more: its key went on. */
const RELEASED: ReadonlyArray<DeadLetterStatus> = ['escalated', 'skipped'];

/**
 * The one rule for whether a dead letter's message still holds its key: it is the head of the key's parked queue
 * (parked, retrying, or redriven or discarded with the consumer's retry or drop still to come).
 */
export function holdsItsKey(deadLetter: Pick<DeadLetter, 'status' | 'action'>): boolean {
  return (
    BLOCKING.includes(deadLetter.status) || deadLetter.action === 'retry' || deadLetter.action === 'drop'
  );
}

/** True when a redrive or an edit applies: the message is a blocking head, or was released (escalated, skipped). */
export function isRedrivable(status: DeadLetterStatus): boolean {
  return BLOCKING.includes(status) || RELEASED.includes(status);
}

/** Statuses a bulk operation matches when its filter names none: the messages that hold their keys. */
export const BLOCKING_STATUSES = BLOCKING;

/**
 * Redrive: a blocking head is retried in its queue with a fresh retry budget; a released message is replayed on
 * its own.
 */
export function redrive(current: DeadLetter, by: string, now: number): Transition {
  if (current.status === 'redriven' && (current.action === 'retry' || current.action === 'replay'))
    return 'already';
  if (!isRedrivable(current.status)) {
    return new ParleyError(
      'NOT_REDRIVABLE',
      `dead letter ${current.id} is ${current.status}${current.status === 'redriven' ? ' and was handled' : ''}; only parked, retrying, escalated or skipped ones can be redriven`,
    );
  }
  return deadLetterChange(
    current,
    { ...current, status: 'redriven', action: retryOrReplay(current.status), dueAt: now, attempts: 0 },
    { type: 'DeadLetterRedriven', data: { by } },
    now,
  );
}

/**
 * Discard: a message that holds its key is dropped from its queue by the consumer; a pending replay is cancelled,
 * which needs nothing of the consumer.
 */
export function discard(current: DeadLetter, by: string, now: number): Transition {
  if (current.status === 'discarded') return 'already';
  const replay = current.status === 'redriven' && current.action === 'replay';
  if (!holdsItsKey(current) && !replay) {
    return new ParleyError(
      'NOT_DISCARDABLE',
      `dead letter ${current.id} is ${current.status}: it is no longer in a queue`,
    );
  }
  return deadLetterChange(
    current,
    { ...current, status: 'discarded', action: replay ? null : 'drop', dueAt: replay ? null : now },
    { type: 'DeadLetterDiscarded', data: { by } },
    now,
  );
}

/**
 * Edit: the payload is replaced (audited, before and after) and the message redriven with it. `seen` is the
 * version the operator edited: a dead letter changed since is refused, so no edit is made blind.
 */
export function edit(
  current: DeadLetter,
  change: { payload: string; by: string; reason?: string; seen: number },
  now: number,
): Transition {
  if (current.version !== change.seen)
    return new ParleyError('CHANGED', `dead letter ${current.id} changed meanwhile; look again`);
  if (!isRedrivable(current.status)) {
    return new ParleyError(
      'NOT_EDITABLE',
      `dead letter ${current.id} is ${current.status}; only parked, retrying, escalated or skipped ones can be edited`,
    );
  }
  const audit: DeadLetterEdit = {
    at: new Date(now).toISOString(),
    by: change.by,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    before: current.message.payload,
    after: change.payload,
  };
  return deadLetterChange(
    current,
    {
      ...current,
      message: { ...current.message, payload: change.payload },
      edits: [...current.edits, audit],
      status: 'redriven',
      action: retryOrReplay(current.status),
      dueAt: now,
      attempts: 0,
    },
    {
      type: 'DeadLetterEdited',
      data: {
        by: change.by,
        reason: change.reason ?? null,
        before: current.message.payload,
        after: change.payload,
      },
    },
    now,
  );
}

function retryOrReplay(status: DeadLetterStatus): 'retry' | 'replay' {
  return BLOCKING.includes(status) ? 'retry' : 'replay';
}
