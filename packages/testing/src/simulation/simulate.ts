import { defaultLogger } from '@parley/core';
import { formatReplay, formatSchedule, parseReplay, type ScheduledFault } from './faults/FaultSchedule.ts';
import { shrinkSchedule } from './shrinkSchedule.ts';
import { runSeed } from './SimulatedRun.ts';
import type { SimulateOptions, SimulationReport } from './SimulationOptions.ts';

/**
 * Runs services under deterministic simulation: virtual time, a seeded scheduler, an in-memory backend, and the
 * faults asked for injected where real systems break (crashes after commits, unknown commit outcomes, outages,
 * duplicates, slow handlers, late timers, clock jumps, restarts). After the workload the faults stop, the run
 * settles and the invariants are checked. One seed is one run, exactly: a failure is reported with its seed, a
 * shrunk fault schedule and the command that replays it.
 *
 * @example
 * const report = await simulate({
 *   seed: 7,
 *   services: { bank: (env) => createBankService(env) },
 *   workload: async (world) => { ... },
 *   invariants: { moneyConserved: async (world) => ... },
 *   faults: { crashAfterCommit: 0.01, duplicates: 0.1 },
 * });
 * expect(report.violations).toEqual([]);
 */
export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const replayText = options.replay ?? process.env['PARLEY_SIMULATE_REPLAY'];
  const replay = replayText === undefined || replayText === '' ? undefined : parseReplay(replayText);
  const seed = replay?.seed ?? options.seed;
  const first = await runSeed(options, seed, replay?.schedule);
  let schedule: ReadonlyArray<ScheduledFault> = first.injected;
  let violations = [...first.violations];
  if (options.checkDeterminism === true) {
    const twin = await runSeed(options, seed, replay?.schedule);
    const divergence = first.trace.divergence(twin.trace);
    if (divergence !== undefined) violations.push(`not deterministic: ${divergence}`);
  }
  if (first.violations.length > 0 && replay === undefined && options.shrink !== false) {
    const shrunk = await shrinkSchedule(
      first.injected,
      async (candidate) => {
        const run = await runSeed(options, seed, candidate);
        return run.violations.length > 0 ? run : undefined;
      },
      options.shrinkRuns ?? 40,
    );
    // What the smaller schedule does when replayed is what the report shows.
    if (shrunk.failure !== undefined) {
      schedule = shrunk.schedule;
      violations = [...shrunk.failure.violations];
    }
  }
  const replayArg = formatReplay(seed, schedule);
  const ok = violations.length === 0;
  const command = ok
    ? undefined
    : (options.replayCommand?.(replayArg) ?? `PARLEY_SIMULATE_REPLAY='${replayArg}' npx vitest run`);
  const report: SimulationReport = {
    seed,
    ok,
    violations,
    schedule: formatSchedule(schedule),
    replay: replayArg,
    ...(command === undefined ? {} : { command }),
    faults: tally(first.injected),
    steps: first.steps,
    virtualMs: first.virtualMs,
    messages: first.messages,
    invariantsChecked: first.invariantsChecked,
    digest: first.digest,
  };
  if (!ok) {
    (options.logger ?? defaultLogger()).error(
      { seed, violations, schedule: report.schedule, replay: command },
      `simulation of seed ${seed} failed: ${violations.join('; ')} — replay with: ${command}`,
    );
  }
  return report;
}

function tally(faults: ReadonlyArray<ScheduledFault>): SimulationReport['faults'] {
  const counts: Record<string, number> = {};
  for (const fault of faults) counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
  return counts;
}
