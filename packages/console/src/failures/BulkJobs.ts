import {
  isConcurrencyError,
  isParleyError,
  type Admin,
  type BulkResult,
  type DeadLetter,
  type DeadLetterStatus,
  type Logger,
  type Untouched,
} from '@parley/core';
import { randomToken } from '../auth/SessionStore.ts';

export type BulkAction = 'redrive' | 'discard';

/** The statuses each action takes, as the admin API decides for one id. */
export const APPLIES_TO: Readonly<Record<BulkAction, ReadonlyArray<DeadLetterStatus>>> = {
  redrive: ['parked', 'retrying', 'escalated', 'skipped'],
  discard: ['parked', 'retrying'],
};

/** What a bulk action would do to a group: a dry run, nothing changed. */
export interface BulkPlan {
  readonly action: BulkAction;
  /** The group's size under the selection. */
  readonly members: number;
  /** How many the action would act on… */
  readonly count: number;
  readonly ids: ReadonlyArray<string>;
  /** …and how many it would leave alone, by status. */
  readonly skipped: number;
  readonly skippedBy: Readonly<Partial<Record<DeadLetterStatus, number>>>;
}

export function planBulk(members: ReadonlyArray<DeadLetter>, action: BulkAction): BulkPlan {
  const ids: string[] = [];
  const skippedBy: Partial<Record<DeadLetterStatus, number>> = {};
  for (const m of members) {
    if (APPLIES_TO[action].includes(m.status)) ids.push(m.id);
    else skippedBy[m.status] = (skippedBy[m.status] ?? 0) + 1;
  }
  return {
    action,
    members: members.length,
    count: ids.length,
    ids,
    skipped: members.length - ids.length,
    skippedBy,
  };
}

export type BulkJobState = 'running' | 'done' | 'aborted' | 'failed';

/** A bulk job as its page polls it. */
export interface BulkJobView {
  readonly id: string;
  readonly action: BulkAction;
  readonly verb: string;
  readonly group: string;
  readonly by: string;
  readonly state: BulkJobState;
  readonly total: number;
  readonly done: number;
  readonly changed: number;
  readonly untouched: number;
  readonly untouchedBy: Readonly<Partial<Record<Untouched, number>>>;
  /** Errors other than the admin API's refusals (e.g. the store is down), and the last one's message. */
  readonly errors: number;
  readonly lastError: string | null;
  /** The pace, in dead letters per second: what the page asked for, at most the console's cap. */
  readonly rate: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Dead letters that joined the group while the job ran (not touched); known once it ended. */
  readonly joined: number;
  /** The group's size under the selection once the job ended. */
  readonly remaining: number;
  readonly summary: string;
}

interface Job {
  view: BulkJobView;
  aborted: boolean;
}

export interface BulkJobStart {
  readonly action: BulkAction;
  readonly group: string;
  readonly ids: ReadonlyArray<string>;
  readonly by: string;
  readonly rate?: number | undefined;
  /** The group's members now, under the same selection: to tell who joined it meanwhile. */
  readonly regroup: () => Promise<ReadonlyArray<DeadLetter>>;
}

const KEEP = 100;

/**
 * Bulk redrives and discards run on the server, one dead letter at a time through the admin API (as `parley dlq
 * redrive <id>` does), at most `rate` a second, so that a page can show progress, and abort them.
 */
export class BulkJobs {
  readonly #jobs = new Map<string, Job>();

  constructor(
    private readonly admin: Admin,
    private readonly logger: Logger,
    private readonly defaultRate: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(start: BulkJobStart): BulkJobView {
    // The console's rate is a cap: a page may ask for slower, not faster.
    const rate = clampRate(Math.min(start.rate ?? this.defaultRate, this.defaultRate));
    const job: Job = {
      aborted: false,
      view: {
        id: randomToken().slice(0, 16),
        action: start.action,
        verb: start.action === 'redrive' ? 'redriven' : 'discarded',
        group: start.group,
        by: start.by,
        state: 'running',
        total: start.ids.length,
        done: 0,
        changed: 0,
        untouched: 0,
        untouchedBy: {},
        errors: 0,
        lastError: null,
        rate,
        startedAt: new Date(this.now()).toISOString(),
        finishedAt: null,
        joined: 0,
        remaining: start.ids.length,
        summary: '',
      },
    };
    this.#jobs.set(job.view.id, job);
    for (const id of [...this.#jobs.keys()].slice(0, Math.max(0, this.#jobs.size - KEEP)))
      this.#jobs.delete(id);
    void this.#run(job, start);
    return job.view;
  }

  get(id: string): BulkJobView | undefined {
    return this.#jobs.get(id)?.view;
  }

  /** Asks a running job to stop before its next dead letter. */
  abort(id: string): BulkJobView | undefined {
    const job = this.#jobs.get(id);
    if (job !== undefined) job.aborted = true;
    return job?.view;
  }

  async #run(job: Job, start: BulkJobStart): Promise<void> {
    const began = this.now();
    const untouchedBy: Partial<Record<Untouched, number>> = {};
    const update = (patch: Partial<BulkJobView>) => (job.view = { ...job.view, ...patch });
    let state: BulkJobState = 'done';
    for (const [index, id] of start.ids.entries()) {
      if (job.aborted) {
        state = 'aborted';
        break;
      }
      const wait = began + (index * 1000) / job.view.rate - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (job.aborted) {
        state = 'aborted';
        break;
      }
      const outcome = await this.#one(start.action, id, start.by);
      if (outcome === 'changed') update({ changed: job.view.changed + 1 });
      else if (typeof outcome === 'string') {
        untouchedBy[outcome] = (untouchedBy[outcome] ?? 0) + 1;
        update({ untouched: job.view.untouched + 1, untouchedBy: { ...untouchedBy } });
      } else update({ errors: job.view.errors + 1, lastError: outcome.error });
      update({ done: index + 1 });
    }
    let joined = 0;
    let remaining = job.view.remaining;
    try {
      const members = await start.regroup();
      const known = new Set(start.ids);
      joined = members.filter((m) => !known.has(m.id)).length;
      remaining = members.length;
    } catch (error) {
      state = 'failed';
      update({ lastError: error instanceof Error ? error.message : String(error) });
    }
    if (job.view.errors > 0 && state === 'done') state = 'failed';
    const { changed, untouched, done, total, verb, errors } = job.view;
    const summary =
      `${state === 'aborted' ? `Aborted after ${done} of ${total}: ` : ''}${verb} ${changed} dead letter(s)` +
      (untouched === 0 ? '' : `, left alone ${untouched} (${describeUntouched(untouchedBy)})`) +
      (errors === 0 ? '' : `, ${errors} failed (last: ${job.view.lastError})`) +
      '.';
    update({ state, joined, remaining, summary, finishedAt: new Date(this.now()).toISOString() });
    this.logger.info(
      {
        audit: {
          by: start.by,
          at: job.view.finishedAt,
          action: `bulk-${start.action}`,
          target: start.group,
          job: job.view,
        },
      },
      `console bulk ${start.action} ${state}`,
    );
  }

  /** One dead letter through the admin API: changed, left alone (why), or an error. */
  async #one(action: BulkAction, id: string, by: string): Promise<'changed' | Untouched | { error: string }> {
    try {
      const result: BulkResult =
        action === 'redrive'
          ? await this.admin.deadLetters.redrive(id, { by })
          : await this.admin.deadLetters.discard(id, { by });
      return result.changed.length > 0 ? 'changed' : (result.untouched[0]?.reason ?? 'already');
    } catch (error) {
      if (isConcurrencyError(error)) return 'changed' satisfies Untouched;
      if (isParleyError(error) && error.code === 'NOT_FOUND') return 'gone';
      if (isParleyError(error) && (error.code === 'NOT_REDRIVABLE' || error.code === 'NOT_DISCARDABLE'))
        return 'not-applicable';
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

function clampRate(rate: number): number {
  return Number.isFinite(rate) && rate > 0 ? Math.min(rate, 10_000) : 50;
}

function describeUntouched(by: Partial<Record<Untouched, number>>): string {
  const words: Record<Untouched, string> = {
    already: 'already so',
    'not-applicable': 'status rules it out',
    changed: 'changed by someone else meanwhile',
    gone: 'gone meanwhile',
  };
  return Object.entries(by)
    .map(([reason, n]) => `${n} ${words[reason as Untouched]}`)
    .join(', ');
}
