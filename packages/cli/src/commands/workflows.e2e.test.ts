import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createService, defineWorkflow, silentLogger } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { waitUntil } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reminder } from '../fixtures/reminderApp.ts';
import { runCli } from '../fixtures/runCli.ts';

let healthy = false;
const payout = defineWorkflow({
  name: 'payout',
  input: z.object({ amount: z.number() }),
  run: async (ctx, input) => {
    await ctx.step('approve', () => Promise.resolve('ok'));
    return ctx.step(
      'transfer',
      () => (healthy ? Promise.resolve(input.amount) : Promise.reject(new Error('bank offline'))),
      { retry: { immediateRetries: 0, maxAttempts: 1 } },
    );
  },
});

describe('parley workflows', () => {
  let dir: string;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-workflows-'));
    url = `sqlite:${path.join(dir, 'app.db')}`;
    const bus = createSqliteBus(url, { logger: silentLogger });
    const store = createSqliteStore(url, { bus, logger: silentLogger });
    const service = createService({ name: 'payouts', store, bus, logger: silentLogger })
      .workflow(payout)
      .workflow(reminder);
    await service.start();
    const note = await service.workflows.start(reminder, 'r-1', { text: 'water the plants' });
    await waitUntil(async () => (await note.journal()).entries.some((e) => e.entry.type === 'TimerStarted'));
    await service.workflows.start(payout, 'p-1', { amount: 5 });
    const handle = service.workflows.get(payout, 'p-1');
    await waitUntil(async () => (await handle.journal()).status === 'parked', { what: 'the run to park' });
    close = async () => {
      await service.stop();
      await store.close();
      await bus.close();
    };
    // The service keeps running: a resume from the CLI is carried out by it.
    healthy = true;
  });
  afterAll(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists runs, shows a parked run with its timeline, and resumes it', async () => {
    const list = await runCli(['workflows', 'list', '--store', url, '--status', 'parked', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { workflow: 'payout', runId: 'p-1', status: 'parked', step: 'transfer' },
    ]);

    const show = await runCli(['workflows', 'show', 'payout', 'p-1', '--store', url]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/payout run p-1: parked/);
    expect(show.stdout).toMatch(/WHAT\s+#\s+NAME\s+TOOK MS\s+DETAIL/);
    expect(show.stdout).toMatch(/StepFailed\s+2\s+transfer\s+\d+\s+attempt 1: bank offline/);
    expect(show.stdout).toMatch(/StepParked\s+2\s+transfer/);

    // One place to see what is stuck: the parked run is among the dead letters, as a workflow.
    const dlq = await runCli(['dlq', 'list', '--store', url]);
    expect(dlq.stdout).toMatch(/KIND\s+CONSUMER\s+KEY\s+TYPE/);
    expect(dlq.stdout).toMatch(/workflow\s+payouts\.workflows\s+p-1\s+payout\s+parked/);
    const dlqJson = await runCli(['dlq', 'list', '--store', url, '--json']);
    expect(JSON.parse(dlqJson.stdout)).toMatchObject([
      { kind: 'workflow', workflow: 'payout', runId: 'p-1' },
    ]);

    const retry = await runCli(['workflows', 'retry', 'payout', 'p-1', '--store', url, '--by', 'ops']);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/it is parked: resume it/);
    const resume = await runCli(['workflows', 'resume', 'payout', 'p-1', '--store', url, '--by', 'ops']);
    expect(resume.stdout).toMatch(/goes on at the step that parked/);
    expect(resume.code).toBe(0);
    await waitUntil(
      async () => {
        const shown = await runCli(['workflows', 'show', 'payout', 'p-1', '--store', url, '--json']);
        return (JSON.parse(shown.stdout) as { run: { status: string } }).run.status === 'completed';
      },
      { what: 'the resumed run to complete' },
    );
  });

  it('check replays unfinished runs against new code and lists those that would diverge, where', async () => {
    const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', name);
    const check = (app: string, ...more: string[]) =>
      runCli([
        'workflows',
        'check',
        '--app',
        fixture(app),
        '--store',
        url,
        '--workflow',
        'reminder',
        ...more,
      ]);
    const same = await check('reminderApp.ts');
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('checked 1 unfinished runs against reminder: 0 would diverge\n');
    // Progress goes to stderr, so stdout stays the report.
    expect(same.stderr).toMatch(/^checked 1 runs, 0 would diverge$/m);
    const changed = await check('reminderAppChanged.ts');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/WORKFLOW\s+RUN\s+STATUS\s+#\s+JOURNAL HOLDS\s+CODE ASKS FOR/);
    expect(changed.stdout).toMatch(/reminder\s+r-1\s+running\s+1\s+step note\s+step write-down/);
    expect(changed.stdout).toMatch(/1 would diverge/);
    const json = await check('reminderAppChanged.ts', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject([
      { workflow: 'reminder', runId: 'r-1', outcome: 'diverges', seq: '1', code: 'step write-down' },
    ]);
    // Nothing ran and nothing was written: the run still sleeps where it was.
    const shown = await runCli(['workflows', 'show', 'reminder', 'r-1', '--store', url, '--json']);
    const timeline = (JSON.parse(shown.stdout) as { timeline: Array<{ what: string }> }).timeline;
    expect(timeline.map((l) => l.what)).toEqual(['WorkflowStarted', 'StepCompleted', 'TimerStarted']);
    const noWorkflows = await runCli(['workflows', 'check', '--app', fixture('runCli.ts'), '--store', url]);
    expect(noWorkflows.code).toBe(1);
    expect(noWorkflows.stderr).toMatch(/exports no Parley workflow/);
  });

  it('says what is wrong with an unknown run and exits non-zero', async () => {
    const missing = await runCli(['workflows', 'show', 'payout', 'nope', '--store', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run nope of workflow payout/);
    const bad = await runCli(['workflows', 'list', '--store', url, '--status', 'sleepy']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown status "sleepy"/);
  });
});
