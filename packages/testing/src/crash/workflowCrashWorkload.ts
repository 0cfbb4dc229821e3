import { randomUUID } from 'node:crypto';
import {
  createService,
  defineTopic,
  defineWorkflow,
  emptyChange,
  silentLogger,
  type Bus,
  type Service,
  type StepInfo,
  type Store,
  type WorkflowDefinition,
} from '@parley/core';
import { z } from 'zod';
import { account } from '../conformance/fixtures.ts';

/** The service that runs the crash workflow; its wake-up topic is `<service>.workflows`. */
export const WORKFLOW_CRASH_SERVICE = 'crash-journeys';

/** The steps of every run, in order. Step `i` deposits into the run's account with `seq: i`. */
export const JOURNEY_STEPS = ['reserve', 'charge', 'ship', 'confirm'] as const;

/** After these steps the run sleeps; after the others it publishes a notice. */
const SLEEP_AFTER: ReadonlySet<number> = new Set([0, 2]);

/**
 * One document per execution of a step's function, written by the step itself before its effect, outside the
 * journal: counting them per idempotency key tells how often each step really ran.
 */
export const EXECUTIONS_MODEL = 'crash-journey-executions';

export interface StepExecution {
  readonly run: string;
  readonly step: string;
  readonly key: string;
  /** The process that ran it. */
  readonly pid: number;
  /** When it began (ms since the epoch). */
  readonly at: number;
  /** Set once the effect's command returned: true when the idempotency key had been used before. */
  readonly duplicate: boolean | null;
}

export const journeyNotices = defineTopic({
  name: 'crash-journey-notices',
  partitions: 2,
  messages: { Noticed: z.object({ run: z.string(), after: z.number().int() }) },
});

/** What one step does: runs its effect and returns its result. */
export type JourneyEffect = (run: string, index: number, info: StepInfo) => Promise<string>;

/**
 * The crash workflow: four steps, each an entity command on the run's account keyed by the step's idempotency
 * key, with durable sleeps after two of them and published notices after the other two.
 */
export function journeyWorkflow(
  effect: JourneyEffect,
): WorkflowDefinition<{ sleepMs: number }, { steps: string[] }> {
  return defineWorkflow({
    name: 'crash-journey',
    input: z.object({ sleepMs: z.number().int().nonnegative() }),
    run: async (ctx, input) => {
      const steps: string[] = [];
      for (const [index, name] of JOURNEY_STEPS.entries()) {
        steps.push(await ctx.step(name, (info) => effect(ctx.runId, index, info)));
        if (SLEEP_AFTER.has(index)) await ctx.sleep(input.sleepMs);
        else
          await ctx.publish(journeyNotices, {
            type: 'Noticed',
            key: ctx.runId,
            payload: { run: ctx.runId, after: index },
          });
      }
      return { steps };
    },
  });
}

/** A few ms of work, so that kills land inside steps as well as between them. */
function work(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 12));
}

/**
 * The service the workflow crash test kills and restarts. Each step first records its execution (a document of
 * its own, committed at once), then deposits into the run's account with the idempotency key as command id, then
 * returns `<step>@<account version>` — the first outcome's version even when the command was a duplicate.
 */
export function workflowCrashWorkload(store: Store, bus: Bus): Service {
  const effect: JourneyEffect = async (run, index, info) => {
    const step = JOURNEY_STEPS[index]!;
    const id = `${info.idempotencyKey}/${randomUUID()}`;
    const at = Date.now();
    const execution = (duplicate: boolean | null): StepExecution => ({
      run,
      step,
      key: info.idempotencyKey,
      pid: process.pid,
      at,
      duplicate,
    });
    await store.commit({
      ...emptyChange,
      documents: [{ model: EXECUTIONS_MODEL, id, doc: execution(null) }],
    });
    await work();
    const outcome = await service.execute(
      account,
      run,
      { type: 'Deposit', data: { amount: 1, seq: index } },
      { commandId: info.idempotencyKey },
    );
    if (outcome.status !== 'accepted') throw new Error(`${step} of ${run} was rejected`);
    await store.commit({
      ...emptyChange,
      documents: [{ model: EXECUTIONS_MODEL, id, doc: execution(outcome.duplicate) }],
    });
    await work();
    return `${step}@${outcome.version}`;
  };
  const service: Service = createService({
    name: WORKFLOW_CRASH_SERVICE,
    store,
    bus,
    logger: silentLogger,
  })
    .entity(account)
    .workflow(journeyWorkflow(effect));
  return service;
}

/** Runs the workflow crash workload in a worker process until it is killed; tells the parent once it has started. */
export async function startWorkflowCrashWorker(store: Store, bus: Bus): Promise<void> {
  await workflowCrashWorkload(store, bus).start();
  process.send?.('started');
  // Keeps the process alive until the test kills it.
  setInterval(() => {}, 1 << 30);
}
