import type { Context } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { html, type Raw } from './html.ts';

const NAV = [
  ['failures', 'Failures'],
  ['consumers', 'Consumers'],
  ['topics', 'Topics'],
  ['workflows', 'Workflows'],
  ['outbox', 'Outbox'],
  ['trace', 'Trace'],
] as const;

/** A whole page: navigation, who is signed in, the CSRF token for the script, and `body`; with `charts`, uPlot. */
export function page(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  section: (typeof NAV)[number][0],
  title: string,
  body: Raw,
  status: 200 | 400 | 404 | 409 = 200,
  options: { charts?: boolean } = {},
): Response {
  const user = c.get('user');
  const session = c.get('session');
  const { base } = deps;
  const flash = c.req.query('done');
  const failed = c.req.query('failed');
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="csrf-token" content="${session?.csrf ?? ''}" />
          <title>${title} · Parley console</title>
          <link rel="stylesheet" href="${base}/assets/console.css" />
          ${options.charts === true ? html`<link rel="stylesheet" href="${base}/assets/uplot.css" />` : ''}
        </head>
        <body>
          <header>
            <span class="brand">Parley console</span>
            ${NAV.map(
              ([key, label]) =>
                html`<a href="${base}/${key}" class="${key === section ? 'current' : ''}">${label}</a>`,
            )}
            <span class="who">
              ${user.label} (${user.role === 'operate' ? 'operator' : 'read-only'})
              ${
                session === undefined
                  ? ''
                  : html`<form method="post" action="${base}/logout">
                      <input type="hidden" name="_csrf" value="${session.csrf}" /><button>Sign out</button>
                    </form>`
              }
            </span>
          </header>
          <main>
            ${flash === undefined ? '' : html`<div class="flash" role="status">${flash}</div>`}
            ${failed === undefined ? '' : html`<div class="flash error" role="alert">${failed}</div>`} ${body}
          </main>
          <script src="${base}/assets/console.js" defer></script>
          ${
            options.charts === true
              ? html`<script src="${base}/assets/uplot.js" defer></script>
                  <script src="${base}/assets/charts.js" defer></script>`
              : ''
          }
        </body>
      </html>`.text,
    status,
  );
}

/** A hidden field with the session's CSRF token, for a form that changes something. */
export function csrfField(c: Context<ConsoleEnv>): Raw {
  return html`<input type="hidden" name="_csrf" value="${c.get('session')?.csrf ?? ''}" />`;
}

/** Whether the signed-in user may change things. */
export function canOperate(c: Context<ConsoleEnv>): boolean {
  return c.get('user').role === 'operate';
}

/** A status as a coloured badge. */
export function badge(status: string): Raw {
  return html`<span class="badge ${status}">${status}</span>`;
}

/** Redirect after a change, with a message the next page shows. */
export function redirectWith(
  c: Context<ConsoleEnv>,
  to: string,
  message: { done: string } | { failed: string },
): Response {
  const query = new URLSearchParams(message).toString();
  return c.redirect(`${to}${to.includes('?') ? '&' : '?'}${query}`, 303);
}
