import { defaultLogger, type Admin } from '@parley/core';
import { Hono } from 'hono';
import { getCookie, deleteCookie } from 'hono/cookie';
import { authenticate, SESSION_COOKIE } from './auth/authenticate.ts';
import { loginRoutes } from './auth/loginRoutes.ts';
import { SessionStore } from './auth/SessionStore.ts';
import type { ConsoleOptions } from './ConsoleOptions.ts';
import type { ConsoleDeps, ConsoleEnv } from './ConsoleEnv.ts';
import { consumersRoutes } from './consumers/consumersRoutes.ts';
import { BulkJobs } from './failures/BulkJobs.ts';
import { bulkRoutes } from './failures/bulkRoutes.ts';
import { failureRoutes } from './failures/failureRoutes.ts';
import { failuresRoutes } from './failures/failuresRoutes.ts';
import { sensitiveSet } from './failures/maskHeaders.ts';
import { CONSOLE_CSS, CONSOLE_JS } from './html/assets.ts';
import { CHARTS_JS } from './html/chartsScript.ts';
import { vendorAssets } from './html/vendorAssets.ts';
import { metricsRoute } from './metrics/metricsRoute.ts';
import { serviceMetrics } from './metrics/serviceMetrics.ts';
import { outboxRoutes } from './outbox/outboxRoutes.ts';
import { topicsRoutes } from './topics/topicsRoutes.ts';
import { traceRoutes } from './trace/traceRoutes.ts';
import { workflowsRoutes } from './workflows/workflowsRoutes.ts';

const TWELVE_HOURS = 12 * 3600 * 1000;

/**
 * The operator console over an admin API — the same one `parley dlq`, `consumers`, `topics` and `workflows` use,
 * so the console and the CLI never disagree. A Hono app: serve it with {@link serveConsole}, or mount it in your
 * own (`app.route('/ops', createConsole(admin, { tokens, basePath: '/ops' }))`).
 *
 * Every page needs a token: a browser signs in at `/login` (an HttpOnly, SameSite=Strict session cookie), other
 * clients send `Authorization: Bearer <token>` (reads only: `/metrics`, `/api/…`, pages). Every change is a POST
 * carrying the session's CSRF token, made with an operator token, and recorded with the token's label as `by`.
 *
 * `/metrics` holds what the store knows; with `services` (those this process runs) their counters and histograms
 * too (see `serviceMetrics`).
 *
 * @example
 * const admin = createAdmin({ store, bus, schemas });
 * const app = createConsole(admin, {
 *   tokens: [{ label: 'alice', secret: process.env.OPS_TOKEN!, role: 'operate' }],
 *   sensitiveHeaders: ['authorization'],
 *   schemas,
 * });
 * serveConsole(app, { port: 4400 });
 */
export function createConsole(admin: Admin, options: ConsoleOptions): Hono<ConsoleEnv> {
  if (options.tokens.length === 0) throw new Error('createConsole needs at least one token');
  for (const token of options.tokens) {
    if (token.secret.length < 8)
      throw new Error(`the console token of ${token.label} is too short: at least 8 characters`);
  }
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const logger = (options.logger ?? defaultLogger()).child({ component: 'parley-console' });
  const ttlMs = options.sessionTtlMs ?? TWELVE_HOURS;
  const sessions = new SessionStore(ttlMs);
  const bulkRate = options.bulkRate ?? 50;
  const deps: ConsoleDeps = {
    admin,
    base,
    sensitiveHeaders: sensitiveSet(options.sensitiveHeaders ?? []),
    schemas: options.schemas,
    jobs: new BulkJobs(admin, logger, bulkRate),
    bulkRate,
    secureCookie: options.secureCookie === true,
    logger,
    audit(user, action, target, detail = {}) {
      logger.info(
        {
          audit: { by: user.label, role: user.role, at: new Date().toISOString(), action, target, ...detail },
        },
        `console ${action} ${target}`,
      );
    },
  };

  const app = new Hono<ConsoleEnv>();
  app.get('/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get('/assets/console.js', (c) =>
    c.body(CONSOLE_JS, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  const vendor = vendorAssets();
  const asset = (body: string, type: string) => () =>
    new Response(body, {
      headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache' },
    });
  app.get('/assets/uplot.js', asset(vendor.uplotJs, 'text/javascript'));
  app.get('/assets/uplot.css', asset(vendor.uplotCss, 'text/css'));
  app.get('/assets/charts.js', asset(CHARTS_JS, 'text/javascript'));
  app.use('*', async (c, next) => {
    await next();
    c.header('x-frame-options', 'DENY');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    c.header(
      'content-security-policy',
      "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    );
    c.header('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
  });
  app.route(
    '/',
    loginRoutes(deps, options.tokens, sessions, { secure: options.secureCookie === true, ttlMs }),
  );
  app.use('*', authenticate(deps, options.tokens, sessions));
  app.post('/logout', (c) => {
    sessions.close(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: base === '' ? '/' : base });
    return c.redirect(`${base}/login`, 303);
  });
  app.get('/', (c) => c.redirect(`${base}/failures`));
  app.route('/', failuresRoutes(deps));
  app.route('/', bulkRoutes(deps));
  app.route('/', failureRoutes(deps));
  app.route('/', consumersRoutes(deps));
  app.route('/', topicsRoutes(deps));
  app.route('/', workflowsRoutes(deps));
  app.route('/', traceRoutes(deps));
  app.route('/', outboxRoutes(deps));
  const processMetrics = options.services?.length ? [serviceMetrics(options.services).registry] : [];
  app.route('/', metricsRoute(deps, processMetrics));
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'console request failed');
    return c.json({ error: error.message }, 500);
  });
  return app;
}
