import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { loginPage } from './loginPage.ts';
import { matchToken, sameSecret, type ConsoleToken, type ConsoleUser } from './ConsoleToken.ts';
import type { Session, SessionStore } from './SessionStore.ts';

/** The cookie that holds a browser's session id. */
export const SESSION_COOKIE = 'parley_console';

/**
 * Lets a request through only with a session cookie or an `Authorization: Bearer <token>` header. A request that
 * changes something (any method but GET and HEAD) needs more: a browser session, the session's CSRF token in an
 * `x-csrf-token` header or a `_csrf` form field, and an operator token; otherwise it is refused with 403.
 */
export function authenticate(
  deps: ConsoleDeps,
  tokens: ReadonlyArray<ConsoleToken>,
  sessions: SessionStore,
): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    let user: ConsoleUser;
    let session: Session | undefined;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const token = matchToken(tokens, bearer);
      if (token === undefined) return unauthorized(c, deps);
      user = { label: token.label, role: token.role };
    } else {
      session = sessions.get(getCookie(c, SESSION_COOKIE));
      if (session === undefined) return unauthorized(c, deps);
      user = session.user;
    }
    c.set('user', user);
    c.set('session', session);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (session === undefined) {
        return forbidden(c, 'a change needs a signed-in browser session and its CSRF token');
      }
      const given = c.req.header('x-csrf-token') ?? (await formField(c, '_csrf'));
      if (given === undefined || given === '' || !sameSecret(given, session.csrf)) {
        return forbidden(c, 'missing or wrong CSRF token: reload the page and try again');
      }
      if (user.role !== 'operate' && c.req.path !== `${deps.base}/logout`) {
        return forbidden(c, `${user.label} holds a read-only token: it cannot change anything`);
      }
    }
    await next();
  };
}

/** A field of a form body; undefined for other bodies. */
export async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return undefined;
  const value = (await c.req.parseBody())[name];
  return typeof value === 'string' ? value : undefined;
}

function wantsHtml(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}

function unauthorized(c: Context<ConsoleEnv>, deps: ConsoleDeps): Response {
  c.header('WWW-Authenticate', 'Bearer realm="parley-console"');
  if (wantsHtml(c) && c.req.method === 'GET')
    return loginPage(c, deps, { next: c.req.path, status: 401, secure: deps.secureCookie });
  return c.json({ error: 'sign in first: a console token is needed (cookie session or Bearer header)' }, 401);
}

function forbidden(c: Context<ConsoleEnv>, message: string): Response {
  if (wantsHtml(c)) return c.html(`<!doctype html><title>Forbidden</title><p>403: ${message}</p>`, 403);
  return c.json({ error: message }, 403);
}
