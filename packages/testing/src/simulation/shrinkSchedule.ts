import type { ScheduledFault } from './faults/FaultSchedule.ts';

/**
 * Looks for a smaller fault schedule that still fails (delta debugging: drop halves, then quarters, … then single
 * faults, keeping every drop after which the run still fails). `fails` runs the seed with a candidate schedule and
 * gives back the failed run (with the faults it actually injected), or undefined when it held. At most `budget` runs.
 */
export async function shrinkSchedule<R extends { readonly injected: ReadonlyArray<ScheduledFault> }>(
  schedule: ReadonlyArray<ScheduledFault>,
  fails: (candidate: ReadonlyArray<ScheduledFault>) => Promise<R | undefined>,
  budget: number,
): Promise<{ schedule: ReadonlyArray<ScheduledFault>; failure: R | undefined; runs: number }> {
  let current = schedule;
  let failure: R | undefined;
  let runs = 0;
  if (current.length === 0) return { schedule: current, failure, runs };
  const none = await fails([]);
  runs++;
  if (none !== undefined) return { schedule: none.injected, failure: none, runs };
  let parts = 2;
  while (current.length > 1 && runs < budget) {
    const size = Math.ceil(current.length / parts);
    let dropped = false;
    for (let start = 0; start < current.length && runs < budget; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      runs++;
      const failed = await fails(candidate);
      if (failed !== undefined) {
        failure = failed;
        current = failed.injected;
        parts = Math.max(parts - 1, 2);
        dropped = true;
        break;
      }
    }
    if (!dropped) {
      if (size === 1) break;
      parts = Math.min(parts * 2, current.length);
    }
  }
  return { schedule: current, failure, runs };
}
