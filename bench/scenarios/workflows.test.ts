import { describe, expect, it } from 'vitest';
import { openBackend } from '../backends.ts';
import { parleyWorkflows, WorkflowTimings } from './workflows.ts';

describe('workflows scenario', () => {
  it('runs every workflow through its three steps on Parley (SQLite) and reports its figures', async () => {
    const backend = await openBackend('sqlite');
    try {
      const result = await parleyWorkflows(backend, { count: 20, inFlight: 4, warmup: 4 });
      expect(result).toMatchObject({ system: 'Parley, SQLite', count: 20, inFlight: 4 });
      expect(result.workflowsPerSecond).toBeGreaterThan(0);
      expect(result.stepLatencyMs.p50).toBeLessThanOrEqual(result.stepLatencyMs.p99);
      expect(result.workflowLatencyMs.p50).toBeLessThanOrEqual(result.workflowLatencyMs.p99);
      expect(await backend.store.findDocuments('parley-workflow-runs', { limit: 100 })).toHaveLength(24);
    } finally {
      await backend.close();
    }
  });

  it('refuses timings of a workflow that skipped a step', () => {
    const timings = new WorkflowTimings(2);
    for (const step of [0, 1, 2]) timings.step(0, step);
    timings.step(1, 0);
    timings.step(1, 2);
    expect(() => timings.intervals()).toThrow(/workflow 1 finished without running step 2/);
  });
});
