import type { Clock } from '../clock/Clock.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import type { Store } from '../ports/Store.ts';
import { appendToRun } from './appendToRun.ts';
import { isFinished } from './Journal.ts';

/**
 * Asks a run to stop: its compensations run, newest first, and it ends `cancelled`. Nothing happens to a run
 * that has finished or was already asked.
 * @throws ParleyError `NOT_FOUND` when the run was never started
 */
export async function cancelRun(
  store: Store,
  clock: Clock,
  run: { service: string; workflow: string; runId: string },
  reason: string,
  by: string,
): Promise<void> {
  await appendToRun(store, clock, run, (journal) => {
    if (!journal.started)
      throw new ParleyError('NOT_FOUND', `no run ${run.runId} of workflow ${run.workflow}`);
    if (isFinished(journal.status) || journal.entries.some((e) => e.entry.type === 'CancelRequested'))
      return undefined;
    return { type: 'CancelRequested', reason, by };
  });
}
