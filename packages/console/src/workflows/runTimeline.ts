// The timeline `parley workflows show` prints, for the console's run page.
import type { Journal, JournalEntry } from '@parley/core';

/** One line of a run's timeline. */
export interface TimelineLine {
  readonly at: string;
  readonly what: string;
  readonly seq: string | null;
  readonly name: string | null;
  /**
   * How long it took, in ms: a step attempt since the entry before it (or its delayed retry's due time), a
   * wait, timer or race since it began.
   * Null for other entries.
   */
  readonly tookMs: number | null;
  readonly detail: string;
}

const ENDS_ATTEMPT = new Set(['StepCompleted', 'StepFailed', 'StepThrew']);
const ENDS_WAIT: Record<string, string> = {
  WaitResolved: 'WaitStarted',
  WaitTimedOut: 'WaitStarted',
  TimerFired: 'TimerStarted',
  RaceDecided: 'RaceStarted',
};

/** The journal as a timeline, oldest first. */
export function timeline(journal: Journal): TimelineLine[] {
  const began = new Map<string, number>();
  const retryAt = new Map<string, number>();
  let previous: number | undefined;
  return journal.entries.map(({ entry, at }) => {
    const time = Date.parse(at);
    const seq = 'seq' in entry ? entry.seq : null;
    let tookMs: number | null = null;
    if (ENDS_ATTEMPT.has(entry.type) && previous !== undefined) {
      // An attempt after a delayed retry began no sooner than the retry was due.
      tookMs = time - Math.max(previous, (seq === null ? undefined : retryAt.get(seq)) ?? previous);
    }
    if (entry.type === 'StepFailed' && entry.retryAt !== null) retryAt.set(entry.seq, entry.retryAt);
    const start = seq === null ? undefined : began.get(`${ENDS_WAIT[entry.type] ?? ''}/${seq}`);
    if (start !== undefined) tookMs = time - start;
    if (seq !== null) began.set(`${entry.type}/${seq}`, time);
    previous = time;
    return {
      at,
      what: entry.type,
      seq,
      name: 'name' in entry ? entry.name : null,
      tookMs,
      detail: detailOf(entry),
    };
  });
}

function detailOf(entry: JournalEntry): string {
  switch (entry.type) {
    case 'StepFailed':
      return `attempt ${entry.attempt}: ${entry.error.message}${entry.retryAt === null ? '' : `; retry at ${new Date(entry.retryAt).toISOString()}`}`;
    case 'StepThrew':
      return entry.escalated === undefined
        ? entry.error.message
        : `${entry.error.message}; escalated to ${entry.escalated.topic} (${entry.escalated.messageId})`;
    case 'RaceStarted':
      return entry.branches
        .map((b) =>
          b.topic !== null
            ? `${b.key}: on ${b.topic}`
            : `${b.key}: until ${new Date(b.dueAt ?? 0).toISOString()}`,
        )
        .join(', ');
    case 'RaceDecided':
      return `${entry.winner} won${entry.messageId === null ? '' : ` with message ${entry.messageId}`}`;
    case 'StepParked':
    case 'RunParked':
    case 'WorkflowFailed':
      return entry.error.message;
    case 'TimerStarted':
      return `until ${new Date(entry.dueAt).toISOString()}`;
    case 'WaitStarted':
      return `on ${entry.topic}${entry.dueAt === null ? '' : ` until ${new Date(entry.dueAt).toISOString()}`}`;
    case 'WaitResolved':
    case 'LateReplyHandled':
      return `message ${entry.messageId}`;
    case 'MessageReceived':
      return `${entry.message.type} from ${entry.message.source} (${entry.message.id})`;
    case 'MessagePublished':
      return `to ${entry.topic} (${entry.messageId})`;
    case 'CancelRequested':
      return `${entry.reason} (by ${entry.by})`;
    case 'WorkflowCancelled':
      return entry.reason;
    case 'RunResumed':
      return `by ${entry.by}`;
    case 'PatchMarked':
      return `${entry.id}: ${String(entry.value)}`;
    case 'StepCompleted':
    case 'ValueRecorded':
    case 'WorkflowCompleted':
    case 'WorkflowStarted':
    case 'StepResumed':
    case 'TimerFired':
    case 'WaitTimedOut':
      return '';
  }
}
