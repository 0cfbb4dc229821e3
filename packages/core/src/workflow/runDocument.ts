import type { ErrorRecord } from '../ports/DeadLetter.ts';
import type { RunStatus } from './Journal.ts';

/** The read model that lists a service's workflow runs (one document per run, id `<workflow>/<run id>`). */
export const RUNS_MODEL = 'parley-workflow-runs';

/** A run as operators list it; the journal is its whole story. */
export interface WorkflowRunSummary {
  /** The service that runs it: its wake-ups travel on `<service>.workflows`. */
  readonly service: string;
  readonly workflow: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** The last step, timer or wait the run journaled. */
  readonly step: string | null;
  readonly error: ErrorRecord | null;
}

export function runDocument(fields: {
  service: string;
  workflow: string;
  runId: string;
  status: RunStatus;
  startedAt: string;
  updatedAt: string;
  step: string | null;
  error: ErrorRecord | undefined;
}): WorkflowRunSummary {
  return { ...fields, error: fields.error ?? null };
}
