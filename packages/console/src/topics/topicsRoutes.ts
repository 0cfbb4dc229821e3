import { isParleyError, type TopicInfo } from '@parley/core';
import { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html } from '../html/html.ts';
import { page } from '../html/layout.ts';

/** `GET /topics`: sizes, groups and their lag, and what the retention guard holds back for lagging groups. */
export function topicsRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/topics', async (c) => {
    let topics: TopicInfo[];
    try {
      topics = await deps.admin.topics.list();
    } catch (error) {
      if (!isParleyError(error) || error.code !== 'NO_BUS') throw error;
      return page(
        c,
        deps,
        'topics',
        'Topics',
        html`<h1>Topics</h1>
          <p class="card">${error.message}: start the console with --bus.</p>`,
      );
    }
    const body = html`<h1>Topics</h1>
      ${
        topics.length === 0
          ? html`<p class="card">No topics on this bus.</p>`
          : html`<table id="topics">
              <thead>
                <tr>
                  <th>Topic</th>
                  <th class="num">Partitions</th>
                  <th class="num">Messages kept</th>
                  <th>Groups (lag)</th>
                  <th class="num">Held by the guard</th>
                  <th>Waiting for</th>
                  <th class="num">Removed by retention</th>
                </tr>
              </thead>
              <tbody>
                ${topics.map(
                  (t) =>
                    html`<tr data-topic="${t.name}">
                      <td>${t.name}</td>
                      <td class="num">${t.partitions}</td>
                      <td class="num">${t.messages}</td>
                      <td>${t.groups.map((g) => `${g.group} (${g.lag})`).join(', ') || '-'}</td>
                      <td class="num ${t.held > 0 ? 'warn' : ''}">${t.held}</td>
                      <td>${t.laggingGroups.join(', ') || '-'}</td>
                      <td class="num">${t.removed}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <p class="muted">
        Retention keeps what a registered group has not processed yet: “held” counts those messages, and
        “waiting for” names the groups retention waits for.
      </p>`;
    return page(c, deps, 'topics', 'Topics', body);
  });
  return app;
}
