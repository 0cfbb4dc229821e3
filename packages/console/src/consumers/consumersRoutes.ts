import { Hono } from 'hono';
import { formField } from '../auth/authenticate.ts';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html } from '../html/html.ts';
import { badge, canOperate, csrfField, page, redirectWith } from '../html/layout.ts';
import { formatAge, oldestAgeSeconds, parkedSince } from './parkedAges.ts';

/** `GET /consumers`: status, lag, parked keys and their age, dead letters; pause and resume. */
export function consumersRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const list = `${deps.base}/consumers`;

  app.get('/consumers', async (c) => {
    const [consumers, since] = await Promise.all([deps.admin.consumers.list(), parkedSince(deps.admin)]);
    const now = Date.now();
    const operate = canOperate(c);
    const body = html`<h1>Consumers</h1>
      ${
        consumers.length === 0
          ? html`<p class="card">No consumers in this store.</p>`
          : html`<table id="consumers">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Source</th>
                  <th>Status</th>
                  <th class="num">Lag</th>
                  <th class="num">Parked keys</th>
                  <th>Oldest parked</th>
                  <th>Dead letters</th>
                  ${operate ? html`<th></th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${consumers.map(
                  (info) =>
                    html`<tr data-consumer="${info.name}">
                      <td>
                        <a href="${deps.base}/failures?consumer=${encodeURIComponent(info.name)}&status=all"
                          >${info.name}</a
                        >
                      </td>
                      <td>${info.source || '-'}</td>
                      <td>${badge(info.status)} ${info.reason ?? ''}</td>
                      <td class="num">${info.lag ?? '?'}</td>
                      <td class="num" title="${info.parkedKeys.join(', ')}">${info.parkedKeys.length}</td>
                      <td>${formatAge(oldestAgeSeconds(since, info.name, info.parkedKeys, now))}</td>
                      <td>
                        ${
                          Object.entries(info.deadLetters)
                            .map(([status, n]) => `${status} ${n}`)
                            .join(', ') || '-'
                        }
                      </td>
                      ${
                        operate
                          ? html`<td>
                              ${
                                info.status === 'paused'
                                  ? html`<form
                                      class="inline"
                                      method="post"
                                      action="${list}/${encodeURIComponent(info.name)}/resume"
                                    >
                                      ${csrfField(c)}<button type="submit">Resume</button>
                                    </form>`
                                  : html`<form
                                      class="inline"
                                      method="post"
                                      action="${list}/${encodeURIComponent(info.name)}/pause"
                                    >
                                      ${csrfField(c)}<input name="reason" placeholder="reason" size="14" />
                                      <button type="submit">Pause</button>
                                    </form>`
                              }
                            </td>`
                          : ''
                      }
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <p class="muted">
        Lag counts the messages of the source not handled yet (? when the bus is unknown here). A parked key
        waits behind a failed message; pausing stops a consumer in every process that runs it.
      </p>`;
    return page(c, deps, 'consumers', 'Consumers', body);
  });

  app.post('/consumers/:name/pause', async (c) => {
    const name = c.req.param('name');
    if (!(await known(deps, name)))
      return redirectWith(c, list, { failed: `no consumer ${name} in this store` });
    const reason = ((await formField(c, 'reason')) ?? '').trim();
    const user = c.get('user');
    await deps.admin.consumers.pause(name, { by: user.label, ...(reason === '' ? {} : { reason }) });
    deps.audit(user, 'pause', `consumer ${name}`, { reason });
    return redirectWith(c, list, { done: `Paused ${name}.` });
  });

  app.post('/consumers/:name/resume', async (c) => {
    const name = c.req.param('name');
    if (!(await known(deps, name)))
      return redirectWith(c, list, { failed: `no consumer ${name} in this store` });
    const user = c.get('user');
    await deps.admin.consumers.resume(name, { by: user.label });
    deps.audit(user, 'resume', `consumer ${name}`);
    return redirectWith(c, list, { done: `Resumed ${name}.` });
  });
  return app;
}

/** The admin API would pause any name: a typo must not create a paused phantom. */
async function known(deps: ConsoleDeps, name: string): Promise<boolean> {
  return (await deps.admin.consumers.list()).some((c) => c.name === name);
}
