import { Hono } from 'hono';
import { formField } from '../auth/authenticate.ts';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html, raw, type Raw } from '../html/html.ts';
import { badge, canOperate, csrfField, page, redirectWith } from '../html/layout.ts';
import { chartSeries, type ChartSeries } from './chartSeries.ts';
import { formatAge, oldestAgeSeconds, parkedSince } from './parkedAges.ts';

/**
 * `GET /consumers`: throughput and lag charts of the last hour, then per consumer its status, lag in messages
 * and seconds (per partition too), parked keys and their age, dead letters; pause and resume.
 */
export function consumersRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const list = `${deps.base}/consumers`;

  app.get('/consumers', async (c) => {
    const [consumers, since, history] = await Promise.all([
      deps.admin.consumers.list(),
      parkedSince(deps.admin),
      deps.admin.consumers.history(),
    ]);
    const now = Date.now();
    const operate = canOperate(c);
    const body = html`<h1>Consumers</h1>
      ${
        history.length === 0
          ? html`<p class="card muted" id="no-history">
              No samples in the last hour: running consumers write one every few seconds.
            </p>`
          : html`<div class="grid" id="charts">
              ${chart(
                'throughput',
                'Throughput',
                'msg/s',
                chartSeries(history, (p) => p.perSecond),
              )}
              ${chart(
                'lag',
                'Lag',
                'messages',
                chartSeries(history, (p) => p.lag),
              )}
            </div>`
      }
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
                  <th class="num">Lag (s)</th>
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
                      <td class="num">
                        <details class="partitions">
                          <summary>${info.lag ?? '?'}</summary>
                          <table>
                            <tr>
                              <th class="num">Partition</th>
                              <th class="num">Checkpoint</th>
                              <th class="num">Lag</th>
                              <th class="num">Lag (s)</th>
                            </tr>
                            ${info.partitions.map(
                              (p) =>
                                html`<tr data-partition="${p.partition}">
                                  <td class="num">${p.partition}</td>
                                  <td class="num">${p.position}</td>
                                  <td class="num">${p.lag ?? '?'}</td>
                                  <td class="num">${seconds(p.lagSeconds)}</td>
                                </tr>`,
                            )}
                          </table>
                        </details>
                      </td>
                      <td class="num lag-seconds">${seconds(info.lagSeconds)}</td>
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
        Lag counts the messages of the source not handled yet (? when the bus is unknown here), and its age in
        seconds is that of the oldest of them; open a lag for its partitions. The charts sum the samples
        consumers write every few seconds over their partitions. A parked key waits behind a failed message;
        pausing stops a consumer in every process that runs it.
      </p>`;
    return page(c, deps, 'consumers', 'Consumers', body, 200, { charts: history.length > 0 });
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

/** A chart drawn in the browser by uPlot (see CHARTS_JS) from the JSON it carries. */
function chart(id: string, title: string, unit: string, data: ChartSeries): Raw {
  // `<` escaped: the JSON sits in a script element, which a `</script>` in a consumer's name would close.
  const json = JSON.stringify(data).replaceAll('<', '\\u003c');
  return html`<div class="card chart" id="chart-${id}" data-unit="${unit}">
    <h2>${title} <span class="muted">(${unit}, last hour)</span></h2>
    <div class="plot"></div>
    <script type="application/json">
      ${raw(json)}
    </script>
  </div>`;
}

function seconds(value: number | null): string {
  return value === null ? '?' : formatAge(value);
}

/** The admin API would pause any name: a typo must not create a paused phantom. */
async function known(deps: ConsoleDeps, name: string): Promise<boolean> {
  return (await deps.admin.consumers.list()).some((c) => c.name === name);
}
