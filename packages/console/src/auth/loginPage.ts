import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { ConsoleDeps } from '../ConsoleEnv.ts';
import { html } from '../html/html.ts';
import { randomToken } from './SessionStore.ts';

/** The cookie of the login form's own CSRF token (double submit): set with the form, echoed in a field. */
export const LOGIN_COOKIE = 'parley_console_login';

/** The sign-in form; `next` is where to go after it. */
export function loginPage(
  c: Context,
  deps: ConsoleDeps,
  options: { next?: string; status?: 200 | 401; error?: string; secure?: boolean },
): Response {
  const check = randomToken();
  setCookie(c, LOGIN_COOKIE, check, {
    httpOnly: true,
    sameSite: 'Strict',
    path: `${deps.base}/login`,
    secure: options.secure === true,
    maxAge: 3600,
  });
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Sign in · Parley console</title>
          <link rel="stylesheet" href="${deps.base}/assets/console.css" />
        </head>
        <body>
          <main class="login card">
            <h1>Parley console</h1>
            ${
              options.error === undefined
                ? ''
                : html`<div class="flash error" role="alert">${options.error}</div>`
            }
            <form method="post" action="${deps.base}/login">
              <label for="token">Console token</label>
              <input
                id="token"
                name="token"
                type="password"
                autocomplete="current-password"
                required
                autofocus
              />
              <input type="hidden" name="_login" value="${check}" />
              <input type="hidden" name="next" value="${options.next ?? `${deps.base}/failures`}" />
              <button class="primary" type="submit">Sign in</button>
            </form>
            <p class="muted">
              The token is the one given to <code>parley console</code> (--token or --read-token).
            </p>
          </main>
        </body>
      </html>`.text,
    options.status ?? 200,
  );
}
