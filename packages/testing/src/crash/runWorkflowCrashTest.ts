import { createService, RunStatus, silentLogger, type Journal } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../conformance/ConformanceTarget.ts';
import { account } from '../conformance/fixtures.ts';
import { startWorker } from './runCrashTest.ts';
import {
  EXECUTIONS_MODEL,
  JOURNEY_STEPS,
  journeyNotices,
  journeyWorkflow,
  WORKFLOW_CRASH_SERVICE,
  type StepExecution,
} from './workflowCrashWorkload.ts';

export interface WorkflowCrashTestOptions {
  /** Backend name, for the test title. */
  name: string;
  /**
   * A module that opens a store and bus from `process.argv[2]` and runs `startWorkflowCrashWorker(store, bus)`;
   * it is started as a child process with `--conditions=source --import tsx`.
   */
  worker: string;
  /** The URL handed to each worker. */
  url: () => string;
  /** Opens a connection in the test process, to start runs and to verify. */
  open: () => Promise<Connection>;
  /** @default 80 */
  runs?: number;
  /** @default 12 */
  kills?: number;
}

/**
 * The workflow crash test: a child process running many workflow runs — four steps, two durable sleeps, two
 * publishes each — is killed with SIGKILL at random moments and restarted, many times. Afterwards:
 *
 * - every run completed, with the results its steps returned the first time, and its journal holds each step,
 *   timer and publish exactly once;
 * - every step's effect (a deposit whose command id is the step's idempotency key) is on the run's account
 *   exactly once, in step order, and every notice was published exactly once;
 * - a step's function ran more than once only because the process running it was killed before the step's
 *   journal entry committed: every execution but the last one of a step comes from a process the test killed,
 *   before that entry's time; no process ran a step twice; and no execution began after its step was journaled
 *   (a completed step never runs again).
 *
 * A step killed between its effect and its journal entry runs again on restart; its effect is then a
 * duplicate command, which is why the account still shows it once.
 */
export function runWorkflowCrashTest(options: WorkflowCrashTestOptions): void {
  const runs = options.runs ?? 200;
  const kills = options.kills ?? 12;

  describe(`workflow crash test: ${options.name}`, () => {
    it(
      'finishes every run, applies no step effect twice and never runs a completed step again when killed at random moments',
      { timeout: 180_000 },
      async () => {
        const conn = await options.open();
        try {
          // Not started: this process only starts runs and reads; the worker runs them.
          const journey = journeyWorkflow(() => Promise.reject(new Error('the test process runs no steps')));
          const service = createService({
            name: WORKFLOW_CRASH_SERVICE,
            store: conn.store,
            bus: conn.bus,
            logger: silentLogger,
          })
            .entity(account)
            .workflow(journey);
          const runIds = Array.from({ length: runs }, (_, r) => `run-${r}`);
          const completed = async () =>
            (await service.workflows.list({ status: RunStatus.completed, limit: runs + 1 })).length;

          /** When the test saw each killed worker exit, by pid. */
          const killedAt = new Map<number, number>();
          const spawn = async () => {
            const run = startWorker(options.worker, options.url());
            await run.started;
            return run;
          };
          // Runs start in waves, one before the first kill and one after each restart, so every kill finds runs
          // under way; the longest sleeps keep a wave busy for longer than the wait before the next kill.
          const waves = kills + 1;
          let started = 0;
          const startWave = async (wave: number) => {
            for (const [r, runId] of runIds.entries()) {
              if (r % waves !== wave) continue;
              await service.workflows.start(journey, runId, { sleepMs: 50 + (r % 8) * 50 });
              started++;
            }
          };
          // The first worker creates the topics before runs start.
          let worker = await spawn();
          await startWave(0);

          let killed = 0;
          let killedMidway = 0;
          let last = 0;
          while (killed < kills) {
            await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 300));
            worker.child.kill('SIGKILL');
            await worker.exited;
            killedAt.set(worker.child.pid!, Date.now());
            killed++;
            const count = await completed();
            expect(count).toBeGreaterThanOrEqual(last);
            last = count;
            // Killed with a started run unfinished.
            if (count < started) killedMidway++;
            worker = await spawn();
            await startWave(killed);
          }
          const deadline = Date.now() + 60_000;
          while ((await completed()) < runs && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 50));
          worker.child.kill('SIGTERM');
          await worker.exited;

          expect(killedMidway).toBe(kills);
          expect(await completed()).toBe(runs);

          const problems: string[] = [];
          let executed = 0;
          for (const runId of runIds) {
            const journal = await service.workflows.get(journey, runId).journal();
            problems.push(...checkJournal(runId, journal));
            const { state, version } = await service.load(account, runId);
            if (
              version !== JOURNEY_STEPS.length ||
              state.seen.join() !== JOURNEY_STEPS.map((_, i) => i).join()
            )
              problems.push(`${runId}: account has deposits ${JSON.stringify(state.seen)}`);
            const executions = (await conn.store.findDocuments(EXECUTIONS_MODEL, {
              where: { run: runId },
              limit: 1000,
            })) as Array<{ id: string; doc: StepExecution }>;
            executed += executions.length;
            problems.push(
              ...checkExecutions(
                runId,
                journal,
                executions.map((e) => e.doc),
                killedAt,
              ),
            );
          }
          expect(problems).toEqual([]);
          // The kills did land inside steps: some step ran again (and its effect, if it had been applied, was a
          // duplicate command).
          expect(executed).toBeGreaterThan(runs * JOURNEY_STEPS.length);

          const notices = [];
          for (let p = 0; p < journeyNotices.partitions; p++)
            notices.push(...(await conn.bus.read(journeyNotices.name, p, 0, runs * 4)));
          expect(notices).toHaveLength(runs * 2);
          expect(new Set(notices.map((n) => n.id)).size).toBe(runs * 2);
          for (const runId of runIds) {
            const afters = notices
              .filter((n) => n.key === runId)
              .map((n) => (JSON.parse(n.payload) as { after: number }).after);
            expect(afters, runId).toEqual([1, 3]);
          }
        } finally {
          await conn.close();
        }
      },
    );
  });
}

/** The journal of a finished run: each step, timer and publish once, steps never failed, the first results. */
function checkJournal(runId: string, journal: Journal): string[] {
  const problems: string[] = [];
  if (journal.status !== RunStatus.completed) problems.push(`${runId}: ${journal.status}`);
  const types = journal.entries.map((e) => e.entry.type);
  const count = (type: string) => types.filter((t) => t === type).length;
  const expected: Record<string, number> = {
    WorkflowStarted: 1,
    StepCompleted: JOURNEY_STEPS.length,
    TimerStarted: 2,
    TimerFired: 2,
    MessagePublished: 2,
    WorkflowCompleted: 1,
  };
  for (const [type, n] of Object.entries(expected))
    if (count(type) !== n) problems.push(`${runId}: ${count(type)} × ${type}, expected ${n}`);
  if (types.length !== Object.values(expected).reduce((a, b) => a + b, 0))
    problems.push(`${runId}: unexpected journal entries ${types.join(', ')}`);
  const output = journal.output as { steps?: string[] } | undefined;
  const results = JOURNEY_STEPS.map((step, i) => `${step}@${i + 1}`);
  if (output?.steps?.join() !== results.join())
    problems.push(`${runId}: output ${JSON.stringify(journal.output)}`);
  return problems;
}

/**
 * Executions of each step against its journal entry: the last one is the one whose result was journaled; every
 * earlier one must come from a process killed before that entry was committed, and none may begin after it.
 */
function checkExecutions(
  runId: string,
  journal: Journal,
  executions: ReadonlyArray<StepExecution>,
  killedAt: ReadonlyMap<number, number>,
): string[] {
  const problems: string[] = [];
  for (const step of JOURNEY_STEPS) {
    const entry = journal.entries.find((e) => e.entry.type === 'StepCompleted' && e.entry.name === step);
    if (entry === undefined) continue;
    const journaledAt = Date.parse(entry.at);
    const mine = executions.filter((e) => e.step === step).sort((a, b) => a.at - b.at);
    const where = `${runId} ${step}`;
    if (mine.length === 0) problems.push(`${where}: journaled without an execution`);
    if (new Set(mine.map((e) => e.pid)).size !== mine.length)
      problems.push(`${where}: one process ran it twice (${mine.map((e) => e.pid).join(', ')})`);
    if (mine.filter((e) => e.duplicate === false).length > 1)
      problems.push(`${where}: its effect was applied by more than one execution`);
    for (const execution of mine) {
      if (execution.at > journaledAt)
        problems.push(`${where}: ran at ${execution.at}, after it was journaled at ${journaledAt}`);
    }
    for (const execution of mine.slice(0, -1)) {
      const death = killedAt.get(execution.pid);
      if (death === undefined) problems.push(`${where}: ran again although process ${execution.pid} lived`);
      else if (death > journaledAt)
        problems.push(`${where}: ran again although process ${execution.pid} died after journaling it`);
    }
  }
  return problems;
}
