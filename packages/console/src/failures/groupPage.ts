import type { Context } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html } from '../html/html.ts';
import { badge, canOperate, page } from '../html/layout.ts';
import { keysOf } from './failuresPage.ts';
import { findGroup } from './findGroup.ts';
import { selectionOf, selectionQuery } from './FailureSelection.ts';

/** `GET /failures/groups/:group`: one group's dead letters, and its bulk redrive and discard. */
export async function groupPage(c: Context<ConsoleEnv>, deps: ConsoleDeps): Promise<Response> {
  const selection = selectionOf(c.req.query());
  const id = c.req.param('group') ?? '';
  const group = await findGroup(deps.admin, id, selection);
  const query = selectionQuery(selection);
  const back = html`<p><a href="${deps.base}/failures${query}">← all failures</a></p>`;
  if (group === undefined) {
    return page(
      c,
      deps,
      'failures',
      'Group',
      html`${back}
        <h1>Group ${id}</h1>
        <p class="card" id="group-empty">
          No dead letter of this group matches these filters: it is drained.
        </p>`,
    );
  }
  const { fingerprint: f } = group;
  const base = `${deps.base}/failures`;
  const body = html`${back}
    <h1>${f.errorName} <span class="muted">in ${f.consumer}</span></h1>
    <div class="card">
      <dl class="facts">
        <dt>Where</dt>
        <dd><code>${f.frame}</code></dd>
        <dt>Message type</dt>
        <dd>${f.type}</dd>
        <dt>Consumer</dt>
        <dd>${f.consumer}</dd>
        <dt>Dead letters</dt>
        <dd id="group-count">${group.count}</dd>
        <dt>First seen</dt>
        <dd>${group.firstSeen}</dd>
        <dt>Last seen</dt>
        <dd>${group.lastSeen}</dd>
        <dt>Keys</dt>
        <dd>${keysOf(group.keys, 20)}</dd>
        <dt>Example</dt>
        <dd>${group.example}</dd>
      </dl>
    </div>
    ${
      canOperate(c)
        ? html`<section
            id="bulk"
            class="card"
            data-plan-url="${base}/groups/${f.id}/plan"
            data-jobs-url="${base}/groups/${f.id}/jobs"
            data-selection="${JSON.stringify(selection)}"
          >
            <h2>The whole group</h2>
            <div class="actions">
              <button type="button" data-plan="redrive">Dry run: redrive all</button>
              <button type="button" data-plan="discard">Dry run: discard all</button>
            </div>
            <div id="bulk-plan" hidden>
              <p id="bulk-plan-text"></p>
              <div class="actions">
                <label
                  >At most
                  <input
                    id="bulk-rate"
                    type="number"
                    min="1"
                    max="${deps.bulkRate}"
                    value=""
                    size="5"
                    placeholder="${deps.bulkRate}"
                  />
                  per second</label
                >
                <button type="button" id="bulk-run">Run</button>
              </div>
            </div>
            <div id="bulk-progress" hidden>
              <progress value="0" max="1"></progress> <span id="bulk-progress-text"></span>
              <button type="button" id="bulk-abort" class="danger">Abort</button>
            </div>
            <div id="bulk-result" role="status"></div>
          </section>`
        : ''
    }
    <h2>Dead letters</h2>
    <table id="members">
      <thead>
        <tr>
          <th>Id</th>
          <th>Key</th>
          <th>Status</th>
          <th class="num">Attempts</th>
          <th>Last failed</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        ${group.members.map(
          (m) =>
            html`<tr>
              <td><a href="${base}/${m.id}">${m.id}</a></td>
              <td>${m.message.key}</td>
              <td>${badge(m.status)}</td>
              <td class="num">${m.attempts}</td>
              <td>${m.lastFailedAt}</td>
              <td>${m.error.message}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  return page(c, deps, 'failures', `${f.errorName} in ${f.consumer}`, body);
}
