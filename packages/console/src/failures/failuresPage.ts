import type { Context } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html, type Raw } from '../html/html.ts';
import { badge, page } from '../html/layout.ts';
import { groupFailures, type FailureGroup } from './groupFailures.ts';
import { selectFailures, selectionOf, selectionQuery, type FailureSelection } from './FailureSelection.ts';

const STATUS_CHOICES = ['open', 'all', 'parked', 'retrying', 'escalated', 'skipped', 'redriven', 'discarded'];

/** `GET /failures`: dead letters grouped by fingerprint, with filters and a search box. */
export async function failuresPage(c: Context<ConsoleEnv>, deps: ConsoleDeps): Promise<Response> {
  const selection = selectionOf(c.req.query());
  const [failures, consumers] = await Promise.all([
    selectFailures(deps.admin, selection),
    deps.admin.consumers.list(),
  ]);
  const groups = groupFailures(failures);
  const query = selectionQuery(selection);
  const body = html`
    <h1>Failures</h1>
    ${filterForm(
      deps,
      selection,
      consumers.map((c) => c.name),
    )}
    <p class="muted">
      ${failures.length} dead letter(s) in ${groups.length} group(s). A group is one error name, thrown at one
      place of the application's code (its first stack frame outside dependencies and Parley), for one message
      type in one consumer.
    </p>
    ${
      groups.length === 0
        ? html`<p class="card">No failures match these filters.</p>`
        : html`<table id="groups">
            <thead>
              <tr>
                <th class="num">Count</th>
                <th>Error</th>
                <th>Where</th>
                <th>Type</th>
                <th>Consumer</th>
                <th>Status</th>
                <th>Keys</th>
                <th>First seen</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              ${groups.map((g) => groupRow(deps, g, query))}
            </tbody>
          </table>`
    }
  `;
  return page(c, deps, 'failures', 'Failures', body);
}

function groupRow(deps: ConsoleDeps, group: FailureGroup, query: string): Raw {
  const { fingerprint: f } = group;
  return html`<tr data-group="${f.id}">
    <td class="num"><a href="${deps.base}/failures/groups/${f.id}${query}">${group.count}</a></td>
    <td>
      <a href="${deps.base}/failures/groups/${f.id}${query}"><strong>${f.errorName}</strong></a>
      <div class="muted">${group.example}</div>
    </td>
    <td><code>${f.frame}</code></td>
    <td>${f.type}</td>
    <td>${f.consumer}</td>
    <td>${Object.entries(group.statuses).map(([status, n]) => html`${badge(status)} ${n} `)}</td>
    <td>${keysOf(group.keys)}</td>
    <td>${group.firstSeen}</td>
    <td>${group.lastSeen}</td>
  </tr>`;
}

export function keysOf(keys: ReadonlyArray<string>, show = 5): Raw {
  const more = keys.length - show;
  return html`<span title="${keys.join(', ')}"
      >${keys.slice(0, show).join(', ')}${more > 0 ? ` +${more} more` : ''}</span
    >
    <span class="muted">(${keys.length})</span>`;
}

function filterForm(deps: ConsoleDeps, selection: FailureSelection, consumers: ReadonlyArray<string>): Raw {
  const option = (value: string, current: string | undefined, label = value) =>
    html`<option value="${value}" ${value === (current ?? '') ? 'selected' : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="${deps.base}/failures">
    <label
      >Status
      <select name="status">
        ${STATUS_CHOICES.map((s) =>
          option(s, selection.status, s === 'open' ? 'needs attention (parked, retrying, escalated)' : s),
        )}
      </select></label
    >
    <label
      >Consumer
      <select name="consumer">
        ${option('', selection.consumer, 'any')} ${consumers.map((name) => option(name, selection.consumer))}
      </select></label
    >
    <label
      >Kind
      <select name="kind">
        ${option('', selection.kind, 'any')} ${option('message', selection.kind)}
        ${option('workflow', selection.kind, 'workflow run')}
      </select></label
    >
    <label
      >Search <input type="search" name="q" value="${selection.q ?? ''}" placeholder="id, key, type, error…"
    /></label>
    <button type="submit">Filter</button>
  </form>`;
}
