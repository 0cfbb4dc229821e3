import { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { planBulk, type BulkAction, type BulkJobView } from './BulkJobs.ts';
import { findGroup } from './findGroup.ts';
import { selectionOf } from './FailureSelection.ts';

/**
 * A group's bulk redrive or discard, as JSON for the group page's script: `POST …/plan` (a dry run: how many it
 * would act on), `POST …/jobs` (start it on the server), `GET /failures/jobs/:id` (its progress) and
 * `POST /failures/jobs/:id/abort`.
 */
export function bulkRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const jobUrls = (job: BulkJobView) => ({
    ...job,
    url: `${deps.base}/failures/jobs/${job.id}`,
    abortUrl: `${deps.base}/failures/jobs/${job.id}/abort`,
  });

  app.post('/failures/groups/:group/plan', async (c) => {
    const body = await jsonBody(c.req);
    const action = actionOf(body.action);
    if (action === undefined) return c.json({ error: 'action must be redrive or discard' }, 400);
    const group = await findGroup(deps.admin, c.req.param('group'), selectionOf(body));
    const plan = planBulk(group?.members ?? [], action);
    return c.json({
      action,
      members: plan.members,
      count: plan.count,
      skipped: plan.skipped,
      skippedBy: Object.entries(plan.skippedBy)
        .map(([status, n]) => `${status} ${n}`)
        .join(', '),
    });
  });

  app.post('/failures/groups/:group/jobs', async (c) => {
    const body = await jsonBody(c.req);
    const action = actionOf(body.action);
    if (action === undefined) return c.json({ error: 'action must be redrive or discard' }, 400);
    const id = c.req.param('group');
    const selection = selectionOf(body);
    const group = await findGroup(deps.admin, id, selection);
    const plan = planBulk(group?.members ?? [], action);
    const user = c.get('user');
    const rate = typeof body.rate === 'number' ? body.rate : undefined;
    const job = deps.jobs.start({
      action,
      group: id,
      ids: plan.ids,
      by: user.label,
      rate,
      regroup: async () => (await findGroup(deps.admin, id, selection))?.members ?? [],
    });
    deps.audit(user, `bulk-${action}`, `group ${id}`, { job: job.id, count: plan.count, selection });
    return c.json(jobUrls(job), 202);
  });

  app.get('/failures/jobs/:job', (c) => {
    const job = deps.jobs.get(c.req.param('job'));
    return job === undefined ? c.json({ error: 'no such job' }, 404) : c.json(jobUrls(job));
  });

  app.post('/failures/jobs/:job/abort', (c) => {
    const job = deps.jobs.abort(c.req.param('job'));
    if (job === undefined) return c.json({ error: 'no such job' }, 404);
    deps.audit(c.get('user'), 'bulk-abort', `job ${job.id}`);
    return c.json(jobUrls(job));
  });
  return app;
}

function actionOf(value: unknown): BulkAction | undefined {
  return value === 'redrive' || value === 'discard' ? value : undefined;
}

async function jsonBody(request: { json(): Promise<unknown> }): Promise<Record<string, unknown>> {
  try {
    const body = await request.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
