import { createService, defineWorkflow } from '@parley/core';
import { z } from 'zod';
import type { BenchBackend } from '../backends.ts';
import { nowMs } from '../peers/PeerRun.ts';
import { round } from '../percentiles.ts';

/**
 * The workflow every system runs: three trivial steps, each one journaled by the engine before the next begins.
 * Each step only notes the time it began (see {@link WorkflowTimings}) and returns a small value.
 */
export const WORKFLOW_STEPS = 3;

export interface WorkflowBenchOptions {
  /** Workflows timed. */
  count: number;
  /** Workflows under way at once: each of `inFlight` callers starts one, waits for its result, starts the next. */
  inFlight: number;
  /** Untimed workflows run first, with the same concurrency. @default 2 × inFlight */
  warmup?: number;
  onProgress?: (done: number) => void;
}

export interface WorkflowBenchResult {
  system: string;
  count: number;
  inFlight: number;
  seconds: number;
  /** Completed workflows per second, from the first start to the last result. */
  workflowsPerSecond: number;
  /**
   * Per step: the time from one step's function beginning to the next one's beginning — running the step,
   * journaling its result and getting to the next step. Two intervals per workflow.
   */
  stepLatencyMs: { p50: number; p99: number };
  /** From the caller's start request to the caller holding the result. */
  workflowLatencyMs: { p50: number; p99: number };
  notes: string;
}

/** When each step of each workflow first began (a replayed step is not run, so it is not noted again). */
export class WorkflowTimings {
  private readonly steps: Float64Array;

  constructor(readonly count: number) {
    this.steps = new Float64Array(count * WORKFLOW_STEPS);
  }

  /** Called by step `step` (0-based) of workflow `run`, first thing. */
  step(run: number, step: number): void {
    const at = run * WORKFLOW_STEPS + step;
    if (this.steps[at] === 0) this.steps[at] = nowMs();
  }

  /** The step-to-step intervals, in ms; throws if a step never ran. */
  intervals(): number[] {
    const out: number[] = [];
    for (let run = 0; run < this.count; run++) {
      for (let step = 0; step < WORKFLOW_STEPS; step++)
        if (this.steps[run * WORKFLOW_STEPS + step] === 0)
          throw new Error(`workflow ${run} finished without running step ${step + 1}`);
      for (let step = 1; step < WORKFLOW_STEPS; step++)
        out.push(this.steps[run * WORKFLOW_STEPS + step]! - this.steps[run * WORKFLOW_STEPS + step - 1]!);
    }
    return out;
  }
}

/** Where a system's step functions note their times: the warm-up's timings, then the timed run's. */
export interface TimingsHolder {
  timings: WorkflowTimings;
}

function p50p99(values: number[]): { p50: number; p99: number } {
  if (values.length === 0) return { p50: 0, p99: 0 };
  values.sort((a, b) => a - b);
  const at = (q: number) => round(values[Math.min(values.length - 1, Math.floor(q * values.length))]!);
  return { p50: at(0.5), p99: at(0.99) };
}

async function drive(
  count: number,
  inFlight: number,
  runOne: (i: number) => Promise<void>,
  onDone?: (i: number, ms: number) => void,
): Promise<void> {
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < count; i = next++) {
      const started = nowMs();
      await runOne(i);
      onDone?.(i, nowMs() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, caller));
}

/**
 * Runs a warm-up, then `count` workflows with `inFlight` callers, each starting a workflow (id `<prefix>-<i>`,
 * input `i`) and waiting for its result through the system's own client; the system's steps note their times
 * in `holder.timings`.
 */
export async function measureWorkflows(
  system: string,
  options: WorkflowBenchOptions,
  holder: TimingsHolder,
  runOne: (id: string, i: number) => Promise<void>,
  notes: string,
): Promise<WorkflowBenchResult> {
  const warmup = options.warmup ?? options.inFlight * 2;
  holder.timings = new WorkflowTimings(warmup);
  await drive(warmup, options.inFlight, (i) => runOne(`warm-${i}`, i));
  holder.timings.intervals();

  holder.timings = new WorkflowTimings(options.count);
  const latencies = new Float64Array(options.count);
  let done = 0;
  const started = nowMs();
  await drive(
    options.count,
    options.inFlight,
    (i) => runOne(`run-${i}`, i),
    (i, ms) => {
      latencies[i] = ms;
      options.onProgress?.(++done);
    },
  );
  const seconds = (nowMs() - started) / 1000;
  return {
    system,
    count: options.count,
    inFlight: options.inFlight,
    seconds: round(seconds, 3),
    workflowsPerSecond: Math.round(options.count / seconds),
    stepLatencyMs: p50p99(holder.timings.intervals()),
    workflowLatencyMs: p50p99(Array.from(latencies)),
    notes,
  };
}

/**
 * Parley: the workflow on a service of its own over `backend`, started with `service.workflows.start` and
 * awaited with `handle.result()`; the service's wake-up consumer runs the activations.
 */
export async function parleyWorkflows(
  backend: BenchBackend,
  options: WorkflowBenchOptions,
): Promise<WorkflowBenchResult> {
  const holder: TimingsHolder = { timings: new WorkflowTimings(0) };
  const step = (i: number, index: number) => {
    holder.timings.step(i, index);
    return Promise.resolve(index + 1);
  };
  const threeSteps = defineWorkflow({
    name: 'bench-three-steps',
    input: z.object({ i: z.number().int() }),
    run: async (ctx, { i }) => {
      const one = await ctx.step('one', () => step(i, 0));
      const two = await ctx.step('two', () => step(i, 1));
      const three = await ctx.step('three', () => step(i, 2));
      return one + two + three;
    },
  });
  const service = createService({
    name: 'bench-workflows',
    store: backend.store,
    bus: backend.bus,
    leases: false,
  }).workflow(threeSteps);
  await service.start();
  try {
    return await measureWorkflows(
      `Parley, ${backend.name === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      options,
      holder,
      async (id, i) => {
        const handle = await service.workflows.start(threeSteps, id, { i });
        const sum = await handle.result({ timeoutMs: 120_000 });
        if (sum !== 6) throw new Error(`workflow ${id} returned ${sum}`);
      },
      `One service in this process on ${backend.name}; each step's result is committed to the run's journal ` +
        'before the next step begins; the wake-up consumer runs up to 32 activations at once.',
    );
  } finally {
    await service.stop();
  }
}
