import { isParleyError } from '@parley/core';
import { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { formatAge } from '../consumers/parkedAges.ts';
import { maskHeaders } from '../failures/maskHeaders.ts';
import { html } from '../html/html.ts';
import { badge, canOperate, csrfField, page, redirectWith } from '../html/layout.ts';

const LISTED = 200;

/**
 * `GET /outbox`: the backlog per destination topic (and the age of its oldest message), the relay's failures —
 * messages the bus refused, set aside so the rest moves on — with retry and discard, and the discarded ones.
 */
export function outboxRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const list = `${deps.base}/outbox`;

  app.get('/outbox', async (c) => {
    const [summary, failed] = await Promise.all([
      deps.admin.outbox.summary(),
      deps.admin.outbox.list({ status: ['failed', 'discarded'], limit: LISTED }),
    ]);
    const now = Date.now();
    const operate = canOperate(c);
    const body = html`<h1>Outbox</h1>
      ${
        summary.length === 0
          ? html`<p class="card" id="outbox-empty">
              The outbox is empty: every message committed so far reached the bus (or the store writes to the
              bus directly).
            </p>`
          : html`<table id="outbox-topics">
              <thead>
                <tr>
                  <th>Destination topic</th>
                  <th class="num">Backlog</th>
                  <th>Oldest waiting</th>
                  <th class="num">Relay failures</th>
                  <th class="num">Discarded</th>
                </tr>
              </thead>
              <tbody>
                ${summary.map(
                  (t) =>
                    html`<tr data-topic="${t.topic}">
                      <td>${t.topic}</td>
                      <td class="num">${t.pending}</td>
                      <td>
                        ${
                          t.oldestPending === null
                            ? '-'
                            : formatAge(Math.max(0, (now - Date.parse(t.oldestPending)) / 1000))
                        }
                      </td>
                      <td class="num ${t.failed > 0 ? 'bad' : ''}">${t.failed}</td>
                      <td class="num">${t.discarded}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <h2>Set aside by the relay</h2>
      ${
        failed.length === 0
          ? html`<p class="card muted" id="no-relay-failures">No message was refused by the bus.</p>`
          : html`<table id="relay-failures">
              <thead>
                <tr>
                  <th class="num">Seq</th>
                  <th>Status</th>
                  <th>Topic</th>
                  <th>Type</th>
                  <th>Key</th>
                  <th class="num">Attempts</th>
                  <th>Error</th>
                  <th>Last refused</th>
                  <th>Headers</th>
                  ${operate ? html`<th></th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${failed.map(
                  (e) =>
                    html`<tr data-seq="${e.seq}">
                      <td class="num">${e.seq}</td>
                      <td>
                        ${badge(e.status)}${e.actedBy === null ? '' : html` <span class="muted">by ${e.actedBy}</span>`}
                      </td>
                      <td>${e.topic}#${e.partition}</td>
                      <td>${e.type}</td>
                      <td>${e.key}</td>
                      <td class="num">${e.attempts}</td>
                      <td>${e.error === null ? '-' : `${e.error.name}: ${e.error.message}`}</td>
                      <td>${e.failedAt ?? '-'}</td>
                      <td><code>${JSON.stringify(maskHeaders(e.headers, deps.sensitiveHeaders))}</code></td>
                      ${
                        operate
                          ? html`<td>
                              ${
                                e.status === 'failed'
                                  ? html`<form class="inline" method="post" action="${list}/${e.seq}/retry">
                                        ${csrfField(c)}<button type="submit" class="primary">Retry</button>
                                      </form>
                                      <form
                                        class="inline"
                                        method="post"
                                        action="${list}/${e.seq}/discard"
                                        data-confirm="Discard outbox message ${e.seq}? It will never be sent."
                                      >
                                        ${csrfField(c)}<button type="submit" class="danger">Discard</button>
                                      </form>`
                                  : ''
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
        The relay sends the outbox in order; a message the bus refuses (an unknown topic, a partition out of
        range) is set aside so the rest moves on. Retry puts it back at its old place, once the cause is
        fixed.
      </p>`;
    return page(c, deps, 'outbox', 'Outbox', body);
  });

  for (const action of ['retry', 'discard'] as const) {
    app.post(`/outbox/:seq/${action}`, async (c) => {
      const seq = Number(c.req.param('seq'));
      const user = c.get('user');
      try {
        await deps.admin.outbox[action](seq, { by: user.label });
      } catch (error) {
        if (!isParleyError(error)) throw error;
        return redirectWith(c, list, { failed: error.message });
      }
      deps.audit(user, action, `outbox ${seq}`);
      return redirectWith(c, list, {
        done:
          action === 'retry'
            ? `Outbox message ${seq} is back in the queue.`
            : `Discarded outbox message ${seq}.`,
      });
    });
  }
  return app;
}
