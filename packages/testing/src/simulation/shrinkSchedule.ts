import type { ScheduledFault } from './faults/FaultSchedule.ts';

/**
 * Looks for a smaller fault schedule that still fails (delta debugging: drop halves, then quarters, … then single
 * faults, keeping every drop after which the run still fails). `fails` runs the seed with a candidate schedule and
 * says whether it failed, with the faults that run actually injected. At most `budget` runs.
 */
export async function shrinkSchedule(
  schedule: ReadonlyArray<ScheduledFault>,
  fails: (candidate: ReadonlyArray<ScheduledFault>) => Promise<ReadonlyArray<ScheduledFault> | undefined>,
  budget: number,
): Promise<{ schedule: ReadonlyArray<ScheduledFault>; runs: number }> {
  let current = schedule;
  let runs = 0;
  if (current.length === 0) return { schedule: current, runs };
  const none = await fails([]);
  runs++;
  if (none !== undefined) return { schedule: none, runs };
  let parts = 2;
  while (current.length > 1 && runs < budget) {
    const size = Math.ceil(current.length / parts);
    let dropped = false;
    for (let start = 0; start < current.length && runs < budget; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      runs++;
      const injected = await fails(candidate);
      if (injected !== undefined) {
        current = injected.length <= candidate.length ? injected : candidate;
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
  return { schedule: current, runs };
}
