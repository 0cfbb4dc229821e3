import { isParleyError, RunStatus, type Admin } from '@parley/core';
import { Hono } from 'hono';
import { formField } from '../auth/authenticate.ts';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html } from '../html/html.ts';
import { badge, canOperate, csrfField, page, redirectWith } from '../html/layout.ts';
import { timeline } from './runTimeline.ts';

const STATUSES = Object.values(RunStatus) as string[];
const PAGE = 100;
const FINISHED: ReadonlyArray<string> = [RunStatus.completed, RunStatus.failed, RunStatus.cancelled];

/** `GET /workflows`: runs with their status; a run's timeline; cancel, resume and retry. */
export function workflowsRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const runUrl = (workflow: string, runId: string) =>
    `${deps.base}/workflows/${encodeURIComponent(workflow)}/${encodeURIComponent(runId)}`;

  app.get('/workflows', async (c) => {
    const status = c.req.query('status');
    const workflow = c.req.query('workflow')?.trim();
    const after = c.req.query('after');
    const runs = await deps.admin.workflows.list({
      ...(status !== undefined && STATUSES.includes(status) ? { status: status as RunStatus } : {}),
      ...(workflow === undefined || workflow === '' ? {} : { workflow }),
      ...(after === undefined ? {} : { after }),
      limit: PAGE + 1,
    });
    const shown = runs.slice(0, PAGE);
    const last = runs.length > PAGE ? shown.at(-1) : undefined;
    const next = new URLSearchParams({
      ...c.req.query(),
      after: last === undefined ? '' : `${last.workflow}/${last.runId}`,
    });
    const body = html`<h1>Workflows</h1>
      <form class="filters" method="get" action="${deps.base}/workflows">
        <label>Workflow <input name="workflow" value="${workflow ?? ''}" /></label>
        <label
          >Status
          <select name="status">
            <option value="">any</option>
            ${STATUSES.map((s) => html`<option ${s === status ? 'selected' : ''}>${s}</option>`)}
          </select></label
        >
        <button type="submit">Filter</button>
      </form>
      ${
        shown.length === 0
          ? html`<p class="card">No workflow runs match.</p>`
          : html`<table id="runs">
              <thead>
                <tr>
                  <th>Workflow</th>
                  <th>Run</th>
                  <th>Status</th>
                  <th>Step</th>
                  <th>Started</th>
                  <th>Updated</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map(
                  (r) =>
                    html`<tr>
                      <td>${r.workflow}</td>
                      <td><a href="${runUrl(r.workflow, r.runId)}">${r.runId}</a></td>
                      <td>${badge(r.status)}</td>
                      <td>${r.step ?? ''}</td>
                      <td>${r.startedAt}</td>
                      <td>${r.updatedAt}</td>
                      <td>${r.error?.message ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${last === undefined ? '' : html`<p><a href="${deps.base}/workflows?${next.toString()}">Next ${PAGE} →</a></p>`}`;
    return page(c, deps, 'workflows', 'Workflows', body);
  });

  app.get('/workflows/:workflow/:run', async (c) => {
    const { workflow, run: runId } = c.req.param();
    const found = await show(deps.admin, workflow, runId);
    if (found === undefined)
      return c.html('<!doctype html><title>Not found</title><p>404: no such run</p>', 404);
    const { run, journal } = found;
    const lines = timeline(journal);
    const start = Date.parse(journal.entries[0]?.at ?? run.startedAt);
    const url = runUrl(workflow, runId);
    const body = html`<p><a href="${deps.base}/workflows">← all runs</a></p>
      <h1>${run.workflow} run ${run.runId} ${badge(run.status)}</h1>
      <p>
        <a
          id="trace-link"
          href="${deps.base}/trace?correlationId=${encodeURIComponent(`${run.workflow}/${run.runId}`)}"
          >Its messages across services</a
        >
      </p>
      <div class="card">
        <dl class="facts">
          <dt>Service</dt>
          <dd>${run.service}</dd>
          <dt>Started</dt>
          <dd>${run.startedAt}</dd>
          <dt>Last change</dt>
          <dd>${run.updatedAt}</dd>
          <dt>Step</dt>
          <dd>${run.step ?? '-'}</dd>
          ${
            run.error === null
              ? ''
              : html`<dt>Error</dt>
                  <dd class="bad">${run.error.name}: ${run.error.message}</dd>`
          }
        </dl>
      </div>
      ${
        canOperate(c) && !FINISHED.includes(run.status)
          ? html`<div class="actions">
              <form
                class="inline"
                method="post"
                action="${url}/cancel"
                data-confirm="Cancel this run? Its compensations run."
              >
                ${csrfField(c)}<input name="reason" placeholder="reason" />
                <button class="danger" type="submit">Cancel</button>
              </form>
              ${
                run.status === 'parked'
                  ? html`<form class="inline" method="post" action="${url}/resume">
                      ${csrfField(c)}<button type="submit">Resume at the parked step</button>
                    </form>`
                  : html`<form class="inline" method="post" action="${url}/retry">
                      ${csrfField(c)}<button type="submit" title="when a step waits for its delayed retry">
                        Retry the step now
                      </button>
                    </form>`
              }
            </div>`
          : ''
      }
      <h2>Timeline</h2>
      <table id="timeline">
        <thead>
          <tr>
            <th class="num">+ms</th>
            <th>What</th>
            <th>#</th>
            <th>Name</th>
            <th class="num">Took ms</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          ${lines.map(
            (l) =>
              html`<tr>
                <td class="num" title="${l.at}">${Date.parse(l.at) - start}</td>
                <td>${l.what}</td>
                <td>${l.seq ?? ''}</td>
                <td>${l.name ?? ''}</td>
                <td class="num">${l.tookMs ?? ''}</td>
                <td>${l.detail}</td>
              </tr>`,
          )}
        </tbody>
      </table>`;
    return page(c, deps, 'workflows', `${run.workflow} ${run.runId}`, body);
  });

  for (const action of ['cancel', 'resume', 'retry'] as const) {
    app.post(`/workflows/:workflow/:run/${action}`, async (c) => {
      const { workflow, run: runId } = c.req.param();
      const user = c.get('user');
      const reason = ((await formField(c, 'reason')) ?? '').trim();
      const url = runUrl(workflow, runId);
      try {
        if (action === 'cancel')
          await deps.admin.workflows.cancel(workflow, runId, {
            by: user.label,
            ...(reason === '' ? {} : { reason }),
          });
        else await deps.admin.workflows[action](workflow, runId, { by: user.label });
      } catch (error) {
        if (!isParleyError(error)) throw error;
        return redirectWith(c, url, { failed: error.message });
      }
      deps.audit(user, `workflow-${action}`, `${workflow}/${runId}`, action === 'cancel' ? { reason } : {});
      const done = {
        cancel: 'Asked the run to cancel: a running service compensates and ends it.',
        resume: 'Resumed: a running service goes on at the step that parked.',
        retry: 'The step retries now.',
      }[action];
      return redirectWith(c, url, { done });
    });
  }
  return app;
}

async function show(admin: Admin, workflow: string, runId: string) {
  try {
    return await admin.workflows.show(workflow, runId);
  } catch (error) {
    if (isParleyError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
