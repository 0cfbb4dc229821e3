import { ParleyError } from '../errors/ParleyError.ts';
import type { ErrorRecord } from '../ports/DeadLetter.ts';

/**
 * The workflow code asked for something else than its journal holds at that point (a step renamed, added or
 * removed under a running workflow). The run parks untouched; deploy code that matches, or branch with
 * `ctx.patched`, then resume it.
 */
export class NonDeterminismError extends ParleyError {
  constructor(runId: string, seq: string, journal: string, code: string) {
    super(
      'NON_DETERMINISM',
      `workflow run ${runId} diverges from its journal at #${seq}: the journal holds ${journal}, the code asks for ${code}`,
      { details: { runId, seq, journal, code } },
    );
    this.name = 'NonDeterminismError';
  }
}

/** A step ran out of retries (or failed with a domain error) and its error is thrown into the workflow. */
export class StepFailedError extends ParleyError {
  /** The step's last error, as journaled. */
  readonly error: ErrorRecord;

  constructor(step: string, error: ErrorRecord) {
    super(error.code ?? 'STEP_FAILED', `step ${step} failed: ${error.message}`, {
      details: { step, error: error.name },
    });
    this.name = 'StepFailedError';
    this.error = error;
  }
}

/** A `ctx.waitFor` or `ctx.request` did not get its message in time. */
export class WorkflowTimeoutError extends ParleyError {
  constructor(wait: string, timeoutMs: number | null) {
    super('WORKFLOW_TIMEOUT', `${wait} timed out${timeoutMs === null ? '' : ` after ${timeoutMs} ms`}`, {
      details: { wait },
    });
    this.name = 'WorkflowTimeoutError';
  }
}

/**
 * Thrown out of an activation when its run parks (a step out of retries, or code that diverges from the journal),
 * so the run's wake-up is dead-lettered where operators look; a redrive resumes the run.
 */
export class WorkflowParkedError extends ParleyError {
  constructor(workflow: string, runId: string, reason: ErrorRecord) {
    super('WORKFLOW_PARKED', `workflow ${workflow} run ${runId} parked: ${reason.message}`, {
      details: { workflow, runId, reason: reason.name },
    });
    this.name = 'WorkflowParkedError';
  }
}
