import type { WorkflowRunSummary } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinemaConsole, OPERATOR, READER, type CinemaConsole } from './fixtures/cinemaConsole.ts';
import { signIn, type ConsoleClient } from './fixtures/signIn.ts';

/** The message a redirect after a change carries for the next page. */
const flash = (response: Response): string | null =>
  new URL(response.headers.get('location')!, 'http://127.0.0.1').searchParams.get('failed');

describe('the console’s workflow pages over the orchestrated cinema demo', () => {
  let console_: CinemaConsole;
  let operator: ConsoleClient;
  let runs: WorkflowRunSummary[];

  beforeAll(async () => {
    console_ = await cinemaConsole({ orchestrated: true });
    operator = await signIn(console_.url, OPERATOR.secret);
    runs = await console_.admin.workflows.list({ limit: 1000 });
  }, 120_000);

  afterAll(async () => {
    await console_?.close();
  });

  it('lists runs with their status, filtered by status', async () => {
    const failed = runs.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    const page = await (await operator.get('/workflows?status=failed')).text();
    const rows = page.match(/<tr>\s*<td>[^<]+<\/td>\s*<td><a href="\/workflows\//g) ?? [];
    expect(rows).toHaveLength(failed.length);
    for (const run of failed) expect(page).toContain(`>${run.runId}</a>`);
  });

  it('shows a run’s timeline, as parley workflows show does', async () => {
    const run = runs.find((r) => r.status === 'failed')!;
    const response = await operator.get(`/workflows/${run.workflow}/${run.runId}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<td>WorkflowStarted</td>');
    expect(page).toContain('<td>WorkflowFailed</td>');
    expect((await operator.get(`/workflows/${run.workflow}/no-such-run`)).status).toBe(404);
  });

  it('links a run to its messages across services: the trace of its correlation id', async () => {
    const run = runs.find((r) => r.status === 'failed')!;
    const page = await (await operator.get(`/workflows/${run.workflow}/${run.runId}`)).text();
    const href = /id="trace-link"\s+href="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(href).toBe(`/trace?correlationId=${encodeURIComponent(`${run.workflow}/${run.runId}`)}`);
    const trace = await console_.admin.trace(`${run.workflow}/${run.runId}`);
    // The run's requests to the wallet and the wallet's replies travel with the run's correlation id.
    expect(trace.messages.length).toBeGreaterThan(0);
    const body = await (await operator.get(href!)).text();
    expect(body).toContain('<svg');
    for (const m of trace.messages) expect(body).toContain(`data-message="${m.id}"`);
  });

  it('says why a run cannot be resumed or retried, and needs an operator for it', async () => {
    const run = runs.find((r) => r.status === 'completed')!;
    const resume = await operator.form(`/workflows/${run.workflow}/${run.runId}/resume`, {});
    expect(resume.status).toBe(303);
    expect(flash(resume)).toMatch(/is completed, not parked: nothing to resume/);
    const retry = await operator.form(`/workflows/${run.workflow}/${run.runId}/retry`, {});
    expect(flash(retry)).toMatch(/waits for no step retry: nothing to retry/);
    const reader = await signIn(console_.url, READER.secret);
    expect((await reader.form(`/workflows/${run.workflow}/${run.runId}/cancel`, {})).status).toBe(403);
  });

  it('counts runs by workflow and status in /metrics', async () => {
    const text = await (
      await fetch(`${console_.url}/metrics`, { headers: { authorization: `Bearer ${READER.secret}` } })
    ).text();
    const completed = runs.filter((r) => r.status === 'completed');
    expect(text).toContain(
      `parley_workflow_runs{workflow="${completed[0]!.workflow}",status="completed"} ${completed.length}`,
    );
  });
});
