import type { Clock } from '../clock/Clock.ts';
import { silentLogger } from '../logging/Logger.ts';
import type { Store } from '../ports/Store.ts';
import { Activation } from './Activation.ts';
import type { AnyWorkflow } from './defineWorkflow.ts';
import { journalStream, readJournal, RunStatus } from './Journal.ts';
import { RUNS_MODEL, type WorkflowRunSummary } from './runDocument.ts';

/** What replaying one unfinished run against the current code found. */
export type RunCheck = Pick<WorkflowRunSummary, 'service' | 'workflow' | 'runId' | 'status'> &
  (
    | { readonly outcome: 'ok' }
    /** The code asks for something else than the journal holds at `seq`: deployed, it would park the run. */
    | {
        readonly outcome: 'diverges';
        readonly seq: string;
        readonly journal: string;
        readonly code: string;
        readonly message: string;
      }
    /** No workflow of that name among the code given. */
    | { readonly outcome: 'unknown-workflow' }
  );

/** How {@link checkRuns} reports its progress. */
export interface CheckRunsOptions {
  /** Only runs of this workflow. */
  readonly workflow?: string;
  /** Called after every run checked. */
  readonly onProgress?: (progress: { checked: number; diverging: number }) => void;
}

const PAGE = 200;

/**
 * Replays every unfinished (running or parked) run in `store` against `workflows` — the code about to be
 * deployed — executing no step and writing nothing, and says for each whether it would diverge from its
 * journal, and where.
 *
 * @example
 * const checks = await checkRuns(store, clock, [reservation]);
 * const diverging = checks.filter((c) => c.outcome === 'diverges');
 */
export async function checkRuns(
  store: Store,
  clock: Clock,
  workflows: ReadonlyArray<AnyWorkflow>,
  options: CheckRunsOptions = {},
): Promise<RunCheck[]> {
  const byName = new Map(workflows.map((w) => [w.name, w]));
  const checks: RunCheck[] = [];
  let diverging = 0;
  for (const status of [RunStatus.running, RunStatus.parked]) {
    const where: Record<string, string> = { status };
    if (options.workflow !== undefined) where.workflow = options.workflow;
    for (let after: string | undefined; ;) {
      const page = await store.findDocuments(RUNS_MODEL, { where, limit: PAGE, after });
      for (const { doc } of page) {
        const check = await checkRun(store, clock, byName, doc as WorkflowRunSummary);
        if (check.outcome === 'diverges') diverging++;
        checks.push(check);
        options.onProgress?.({ checked: checks.length, diverging });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)?.id;
    }
  }
  return checks;
}

async function checkRun(
  store: Store,
  clock: Clock,
  byName: ReadonlyMap<string, AnyWorkflow>,
  run: WorkflowRunSummary,
): Promise<RunCheck> {
  const { service, workflow: name, runId, status } = run;
  const head = { service, workflow: name, runId, status };
  const workflow = byName.get(name);
  if (workflow === undefined) return { ...head, outcome: 'unknown-workflow' };
  const journal = readJournal(await store.readStream(journalStream(name), runId, 0));
  const host = {
    store,
    clock,
    logger: silentLogger,
    service,
    ensureTopic: () => Promise.resolve(),
    committed: () => {},
  };
  const divergence = await new Activation(host, workflow, runId, journal).check();
  if (divergence === undefined) return { ...head, outcome: 'ok' };
  const details = divergence.details as { seq: string; journal: string; code: string };
  return { ...head, outcome: 'diverges', ...details, message: divergence.message };
}
