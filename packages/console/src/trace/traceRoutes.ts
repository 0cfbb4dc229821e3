import { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { MASK } from '../failures/maskHeaders.ts';
import { html } from '../html/html.ts';
import { badge, page } from '../html/layout.ts';
import { arrowsOf, sequenceDiagram } from './sequenceDiagram.ts';

/**
 * `GET /trace?correlationId=…` (or `?failure=<dead letter id>`, the saga of a failed message, so a masked
 * correlation id never shows in a link): one saga's messages across services as a sequence diagram, and the
 * messages themselves.
 */
export function traceRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const masked = deps.sensitiveHeaders.has('correlationid');

  app.get('/trace', async (c) => {
    const failure = c.req.query('failure');
    let correlationId = c.req.query('correlationId')?.trim() ?? '';
    if (failure !== undefined) {
      const deadLetter = await deps.admin.deadLetters.show(failure).catch(() => undefined);
      if (deadLetter === undefined)
        return c.html('<!doctype html><title>Not found</title><p>404: no such failure</p>', 404);
      correlationId = deadLetter.message.headers.correlationId ?? deadLetter.message.id;
    }
    const shown = masked && failure !== undefined ? MASK : correlationId;
    const form = html`<form class="filters" method="get" action="${deps.base}/trace">
      <label
        >Correlation id
        <input name="correlationId" size="48" value="${failure === undefined ? correlationId : ''}" />
      </label>
      <button type="submit">Trace</button>
    </form>`;
    if (correlationId === '') {
      return page(
        c,
        deps,
        'trace',
        'Trace',
        html`<h1>Trace a saga</h1>
          ${form}`,
      );
    }
    const trace = await deps.admin.trace(correlationId);
    const arrows = arrowsOf(trace, (id) => `${deps.base}/failures/${encodeURIComponent(id)}`);
    const body = html`<h1>Saga ${shown}</h1>
      ${form}
      ${
        trace.searchedBus
          ? ''
          : html`<p class="card warn">
              This bus cannot search its messages by correlation id: only this store's dead letters and outbox
              are shown.
            </p>`
      }
      ${trace.truncated ? html`<p class="card warn">Only the first ${trace.messages.length} messages.</p>` : ''}
      ${
        arrows.length === 0
          ? html`<p class="card" id="trace-empty">No message has this correlation id.</p>`
          : html`<div class="card sequence">${sequenceDiagram(arrows)}</div>`
      }
      <h2>Messages</h2>
      <table id="trace-messages">
        <thead>
          <tr>
            <th>Produced</th>
            <th>Topic</th>
            <th>Type</th>
            <th>Key</th>
            <th>Id</th>
            <th>Failures</th>
          </tr>
        </thead>
        <tbody>
          ${trace.messages.map(
            (m) =>
              html`<tr data-message="${m.id}">
                <td>${m.occurredAt}</td>
                <td>${m.topic}#${m.partition}@${m.position}</td>
                <td>${m.type}</td>
                <td>${m.key}</td>
                <td><code>${m.id}</code></td>
                <td>
                  ${trace.deadLetters
                    .filter((d) => d.message.id === m.id)
                    .map(
                      (d) =>
                        html`<a href="${deps.base}/failures/${encodeURIComponent(d.id)}"
                          >${d.consumer} ${badge(d.status)}</a
                        > `,
                    )}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p class="muted">
        Arrows: a publish goes from the consumer group whose handler sent it (or from services, when the
        message does not tell: a command, an entity's event) to its topic; a group past a message in its
        partition consumed it; a failure goes to the group that dead-lettered it, and an operator's redrive or
        discard follows. Messages of services on other stores show through the bus; their dead letters show in
        their own console.
      </p>`;
    return page(c, deps, 'trace', 'Trace', body);
  });
  return app;
}
