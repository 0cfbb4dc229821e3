import type { ErrorRecord } from '../ports/DeadLetter.ts';
import type { StoredEvent } from '../ports/StoredEvent.ts';

/** A message as a run's inbox keeps it. */
export interface InboxMessage {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly occurredAt: string;
  readonly source: string;
}

/** A branch of a `ctx.race` as journaled when the race starts. */
export interface RaceBranchEntry {
  readonly key: string;
  readonly topic: string | null;
  readonly dueAt: number | null;
}

/**
 * One entry of a run's journal: an event of the run's stream (entity `workflow.<name>`, id = the run id). Entries
 * with a `seq` record what the workflow function asked for, in the order it asked: `"1"`, `"2"`, … for the run
 * itself, `"c<seq>"` for the compensation of step `<seq>`, `"<message id>/<n>"` for `onLateReply`.
 */
export type JournalEntry =
  | { readonly type: 'WorkflowStarted'; readonly input: unknown }
  | { readonly type: 'StepCompleted'; readonly seq: string; readonly name: string; readonly result: unknown }
  | {
      readonly type: 'StepFailed';
      readonly seq: string;
      readonly name: string;
      readonly attempt: number;
      readonly error: ErrorRecord;
      /** When the next attempt is due (a delayed retry); null when it is retried at once or gives up. */
      readonly retryAt: number | null;
    }
  | { readonly type: 'StepParked'; readonly seq: string; readonly name: string; readonly error: ErrorRecord }
  | { readonly type: 'StepResumed'; readonly seq: string }
  | {
      readonly type: 'StepThrew';
      readonly seq: string;
      readonly name: string;
      readonly error: ErrorRecord;
      /** The domain event the step's `escalate` published with this entry, when it has one. */
      readonly escalated?: { readonly topic: string; readonly messageId: string };
    }
  | { readonly type: 'ValueRecorded'; readonly seq: string; readonly name: string; readonly value: unknown }
  | {
      readonly type: 'MessagePublished';
      readonly seq: string;
      readonly name: string;
      readonly topic: string;
      readonly messageId: string;
    }
  | { readonly type: 'TimerStarted'; readonly seq: string; readonly name: string; readonly dueAt: number }
  | { readonly type: 'TimerFired'; readonly seq: string }
  | {
      readonly type: 'WaitStarted';
      readonly seq: string;
      readonly name: string;
      readonly topic: string;
      readonly dueAt: number | null;
      /** For a request: the id of the command message whose reply is awaited. */
      readonly requestId: string | null;
    }
  | { readonly type: 'WaitResolved'; readonly seq: string; readonly messageId: string }
  | { readonly type: 'WaitTimedOut'; readonly seq: string }
  | {
      readonly type: 'RaceStarted';
      readonly seq: string;
      readonly name: string;
      /** Each branch: a wait on `topic`, or a timer due at `dueAt`. */
      readonly branches: ReadonlyArray<RaceBranchEntry>;
    }
  | {
      readonly type: 'RaceDecided';
      readonly seq: string;
      readonly winner: string;
      readonly messageId: string | null;
    }
  | { readonly type: 'MessageReceived'; readonly message: InboxMessage }
  | { readonly type: 'LateReplyHandled'; readonly messageId: string }
  | { readonly type: 'PatchMarked'; readonly id: string; readonly value: boolean }
  | { readonly type: 'RunParked'; readonly error: ErrorRecord }
  | { readonly type: 'RunResumed'; readonly by: string }
  | { readonly type: 'CancelRequested'; readonly reason: string; readonly by: string }
  | { readonly type: 'WorkflowCompleted'; readonly output: unknown }
  | { readonly type: 'WorkflowFailed'; readonly error: ErrorRecord }
  | { readonly type: 'WorkflowCancelled'; readonly reason: string };

export type JournalEntryType = JournalEntry['type'];

/** Every entry type, for the stream's schema map. */
export const JOURNAL_ENTRY_TYPES: ReadonlyArray<JournalEntryType> = [
  'WorkflowStarted',
  'StepCompleted',
  'StepFailed',
  'StepParked',
  'StepResumed',
  'StepThrew',
  'ValueRecorded',
  'MessagePublished',
  'TimerStarted',
  'TimerFired',
  'WaitStarted',
  'WaitResolved',
  'WaitTimedOut',
  'RaceStarted',
  'RaceDecided',
  'MessageReceived',
  'LateReplyHandled',
  'PatchMarked',
  'RunParked',
  'RunResumed',
  'CancelRequested',
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowCancelled',
];

/** Where a run stands. */
export const RunStatus = {
  /** Started, not finished: running, sleeping or waiting. */
  running: 'running',
  /** A step ran out of retries (or the code no longer matches the journal): waiting for an operator. */
  parked: 'parked',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** The journal of one run, read from its stream: entries with their time, and what they add up to. */
export interface Journal {
  readonly version: number;
  readonly entries: ReadonlyArray<{ readonly entry: JournalEntry; readonly at: string }>;
  readonly started: boolean;
  readonly input: unknown;
  readonly status: RunStatus;
  readonly output: unknown;
  readonly error: ErrorRecord | undefined;
}

/** A run's correlation id: every message it sends carries it, and replies find their way back by it. */
export function runCorrelationId(workflow: string, runId: string): string {
  return `${workflow}/${runId}`;
}

/** The stream that holds the runs of a workflow. */
export function journalStream(workflow: string): string {
  return `workflow.${workflow}`;
}

/** Entity types named like journals are the runtime's own: a service refuses an entity of its own named so. */
export const JOURNAL_PREFIX = journalStream('');

const journalEntities = new WeakSet<object>();

/** Marks the entity through which consumers write into a workflow's journals (see `isJournalEntity`). */
export function markJournalEntity<T extends object>(entity: T): T {
  journalEntities.add(entity);
  return entity;
}

/** True for a workflow's journal entity: its appends are unordered (see `StreamAppend.unordered`). */
export function isJournalEntity(entity: object): boolean {
  return journalEntities.has(entity);
}

/** Reads a run's stream into its journal. */
export function readJournal(events: ReadonlyArray<StoredEvent>): Journal {
  let started = false;
  let input: unknown;
  let status: RunStatus = RunStatus.running;
  let output: unknown;
  let error: ErrorRecord | undefined;
  const entries = events.map((event) => {
    const entry = { type: event.type, ...(event.data as object) } as JournalEntry;
    switch (entry.type) {
      case 'WorkflowStarted':
        started = true;
        input = entry.input;
        break;
      case 'StepParked':
      case 'RunParked':
        status = RunStatus.parked;
        error = entry.error;
        break;
      case 'StepResumed':
      case 'RunResumed':
        if (status === RunStatus.parked) status = RunStatus.running;
        break;
      case 'WorkflowCompleted':
        status = RunStatus.completed;
        output = entry.output;
        break;
      case 'WorkflowFailed':
        status = RunStatus.failed;
        error = entry.error;
        break;
      case 'WorkflowCancelled':
        status = RunStatus.cancelled;
        break;
      default:
        break;
    }
    return { entry, at: event.occurredAt };
  });
  return { version: events.at(-1)?.version ?? 0, entries, started, input, status, output, error };
}

/** True once a run has ended one way or another. */
export function isFinished(status: RunStatus): boolean {
  return status === RunStatus.completed || status === RunStatus.failed || status === RunStatus.cancelled;
}

/** The entry's data as stored: everything but its type. */
export function entryData(entry: JournalEntry): Record<string, unknown> {
  const { type: _type, ...data } = entry;
  return data;
}
