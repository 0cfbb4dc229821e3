import type { Clock } from '../clock/Clock.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import type { Store } from '../ports/Store.ts';
import { appendToRun } from '../workflow/appendToRun.ts';
import { cancelRun } from '../workflow/cancelRun.ts';
import { checkRuns, type CheckRunsOptions, type RunCheck } from '../workflow/checkRuns.ts';
import type { AnyWorkflow } from '../workflow/defineWorkflow.ts';
import { isFinished, journalStream, readJournal, RunStatus, type Journal } from '../workflow/Journal.ts';
import { RUNS_MODEL, type WorkflowRunSummary } from '../workflow/runDocument.ts';
import { wakeTopicName } from '../workflow/wakeMessage.ts';
import type { Actor } from './createAdmin.ts';
import {
  actorArgument,
  textArgument,
  workflowArgument,
  workflowRunFilterArgument,
} from './adminArguments.ts';

/** Which runs to list. */
export interface WorkflowRunFilter {
  readonly workflow?: string;
  readonly status?: RunStatus;
  /** @default 100 */
  readonly limit?: number;
  /** The last `<workflow>/<run id>` of the previous page. */
  readonly after?: string;
}

/** Operations on the workflow runs in a service's store. */
export interface WorkflowAdmin {
  /** Runs ordered by `<workflow>/<run id>`. */
  list(filter?: WorkflowRunFilter): Promise<WorkflowRunSummary[]>;
  /**
   * A run and its journal: its timeline of steps, attempts, errors, timers, waits and compensations.
   * @throws ParleyError `NOT_FOUND`
   */
  show(workflow: string, runId: string): Promise<{ run: WorkflowRunSummary; journal: Journal }>;
  /** Asks a run to stop; its compensations run. @throws ParleyError `NOT_FOUND` */
  cancel(workflow: string, runId: string, actor: Actor & { reason?: string }): Promise<void>;
  /**
   * Resumes a parked run: its dead letter is redriven, so it goes on at the step that parked, with a fresh retry
   * budget.
   * @throws ParleyError `NOT_FOUND`, or `NOT_RESUMABLE` when it is not parked
   */
  resume(workflow: string, runId: string, actor: Actor): Promise<void>;
  /**
   * Retries now the step a run waits to retry (a delayed retry after a failure), instead of at its due time.
   * @throws ParleyError `NOT_FOUND`, or `NOT_RETRYABLE` when it waits for no step retry
   */
  retry(workflow: string, runId: string, actor: Actor): Promise<void>;
  /**
   * Replays every unfinished run against `workflows` — the code about to be deployed — with no side effects, and
   * says which would diverge from their journals, and where. See {@link checkRuns}.
   */
  check(workflows: ReadonlyArray<AnyWorkflow>, options?: CheckRunsOptions): Promise<RunCheck[]>;
}

/** The workflow part of the admin API (see `createAdmin`). */
export function workflowAdmin(
  store: Store,
  clock: Clock,
  redrive: (deadLetterId: string, actor: Actor) => Promise<unknown>,
): WorkflowAdmin {
  const load = async (workflow: string, runId: string) => {
    workflowArgument(workflow);
    textArgument(runId, 'runId');
    const run = (await store.getDocument(RUNS_MODEL, `${workflow}/${runId}`)) as
      WorkflowRunSummary | undefined;
    if (run === undefined) throw new ParleyError('NOT_FOUND', `no run ${runId} of workflow ${workflow}`);
    return run;
  };
  return {
    list: async (given = {}) => {
      const filter = workflowRunFilterArgument(given);
      const where: Record<string, string> = {};
      if (filter.workflow !== undefined) where.workflow = filter.workflow;
      if (filter.status !== undefined) where.status = filter.status;
      const found = await store.findDocuments(RUNS_MODEL, {
        where,
        limit: filter.limit ?? 100,
        ...(filter.after === undefined ? {} : { after: filter.after }),
      });
      return found.map((d) => d.doc as WorkflowRunSummary);
    },
    show: async (workflow, runId) => {
      const run = await load(workflow, runId);
      return { run, journal: readJournal(await store.readStream(journalStream(workflow), runId, 0)) };
    },
    cancel: async (workflow, runId, actor) => {
      actorArgument(actor);
      const run = await load(workflow, runId);
      await cancelRun(store, clock, run, actor.reason ?? `cancelled by ${actor.by}`, actor.by);
    },
    resume: async (workflow, runId, actor) => {
      actorArgument(actor);
      const run = await load(workflow, runId);
      if (run.status !== RunStatus.parked) {
        throw new ParleyError(
          'NOT_RESUMABLE',
          `run ${runId} of ${workflow} is ${run.status}, not parked: nothing to resume` +
            (run.status === RunStatus.running ? ' (a step waiting for its delayed retry: retry it now)' : ''),
        );
      }
      const [deadLetter] = await store.listDeadLetters({
        consumer: wakeTopicName(run.service),
        key: runId,
        status: ['parked'],
        limit: 1,
      });
      if (deadLetter === undefined) {
        throw new ParleyError(
          'NOT_RESUMABLE',
          `run ${runId} of ${workflow} is parked but its dead letter is gone`,
        );
      }
      await redrive(deadLetter.id, actor);
    },
    check: (workflows, options) => checkRuns(store, clock, workflows, options),
    retry: async (workflow, runId, actor) => {
      actorArgument(actor);
      const run = await load(workflow, runId);
      const retried = await appendToRun(store, clock, run, (journal) =>
        waitsForRetry(journal) ? { type: 'RunResumed', by: actor.by } : undefined,
      );
      if (retried === undefined) {
        throw new ParleyError(
          'NOT_RETRYABLE',
          `run ${runId} of ${workflow} is ${run.status} and waits for no step retry: nothing to retry` +
            (run.status === RunStatus.parked ? ' (it is parked: resume it)' : ''),
        );
      }
    },
  };
}

/** True when the run's newest failure is a step waiting for a delayed retry that has not happened yet. */
function waitsForRetry(journal: Journal): boolean {
  const last = journal.entries.findLast((e) => e.entry.type === 'StepFailed')?.entry;
  if (isFinished(journal.status) || last?.type !== 'StepFailed' || last.retryAt === null) return false;
  return !journal.entries.some(
    ({ entry }) =>
      (entry.type === 'StepCompleted' || entry.type === 'StepThrew' || entry.type === 'StepParked') &&
      entry.seq === last.seq,
  );
}
