import type { DeadLetter, DeadLetterStatus } from '../ports/DeadLetter.ts';

/** Why a dead-letter operation left a dead letter it matched alone. */
export const Untouched = {
  /** It already was as asked: a redrive pending, or discarded already. */
  already: 'already',
  /** Its status rules the operation out: e.g. a discarded message cannot be redriven. */
  notApplicable: 'not-applicable',
  /** Someone else changed it after it was matched (another operator, or its consumer), so it no longer applies. */
  changed: 'changed',
  /** It was gone by the time it was changed: a retrying message that recovered leaves no dead letter. */
  gone: 'gone',
} as const;
export type Untouched = (typeof Untouched)[keyof typeof Untouched];

/** A dead letter an operation matched and did not change. */
export interface UntouchedDeadLetter {
  readonly id: string;
  readonly reason: Untouched;
  /** Its status when the operation looked last; null when it was gone. */
  readonly status: DeadLetterStatus | null;
}

/** What a redrive or discard did: what it changed, and what it matched but left alone, with why. */
export interface BulkResult {
  /** The dead letters changed, as they are after the change, in the order they were changed. */
  readonly changed: ReadonlyArray<DeadLetter>;
  /** The dead letters matched and left alone, in the order they were looked at. */
  readonly untouched: ReadonlyArray<UntouchedDeadLetter>;
  /** `untouched` counted by reason; reasons with no dead letter are absent. */
  readonly untouchedBy: Readonly<Partial<Record<Untouched, number>>>;
}
