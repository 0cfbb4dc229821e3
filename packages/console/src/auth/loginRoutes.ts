import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { formField, SESSION_COOKIE } from './authenticate.ts';
import { matchToken, sameSecret, type ConsoleToken } from './ConsoleToken.ts';
import { LOGIN_COOKIE, loginPage } from './loginPage.ts';
import type { SessionStore } from './SessionStore.ts';

/** `GET/POST /login`: the form, and the sign-in that sets an HttpOnly, SameSite=Strict session cookie. */
export function loginRoutes(
  deps: ConsoleDeps,
  tokens: ReadonlyArray<ConsoleToken>,
  sessions: SessionStore,
  cookie: { secure: boolean; ttlMs: number },
): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const secure = cookie.secure;
  app.get('/login', (c) => loginPage(c, deps, { secure, ...nextOf(c.req.query('next'), deps.base) }));
  app.post('/login', async (c) => {
    const next = nextOf(await formField(c, 'next'), deps.base);
    const check = getCookie(c, LOGIN_COOKIE);
    const echoed = await formField(c, '_login');
    if (check === undefined || echoed === undefined || !sameSecret(echoed, check)) {
      return c.html(
        '<!doctype html><title>Forbidden</title><p>403: the sign-in form expired: reload it</p>',
        403,
      );
    }
    const token = matchToken(tokens, (await formField(c, 'token')) ?? '');
    if (token === undefined) {
      deps.logger.warn({ console: 'login' }, 'console sign-in with an unknown token');
      return loginPage(c, deps, { ...next, status: 401, error: 'That token opens nothing here.', secure });
    }
    const session = sessions.open({ label: token.label, role: token.role });
    deleteCookie(c, LOGIN_COOKIE, { path: `${deps.base}/login` });
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: deps.base === '' ? '/' : deps.base,
      secure,
      maxAge: Math.floor(cookie.ttlMs / 1000),
    });
    deps.logger.info({ console: 'login', by: token.label, role: token.role }, 'console sign-in');
    return c.redirect(next.next, 303);
  });
  return app;
}

/** Only a path of this console: never another site, whatever the query says. */
function nextOf(next: string | undefined, base: string): { next: string } {
  const safe =
    next !== undefined && next.startsWith(`${base}/`) && !next.startsWith('//') && !next.includes('\\');
  return { next: safe ? next : `${base}/failures` };
}
