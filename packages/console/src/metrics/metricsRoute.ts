import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { ConsoleMetrics } from './collectMetrics.ts';

/**
 * `GET /metrics`: Prometheus text format, read from the admin API at scrape time (any token, as a Bearer header),
 * with the metrics of `also` (the services this process runs).
 */
export function metricsRoute(deps: ConsoleDeps, also: ReadonlyArray<Registry> = []): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const metrics = new ConsoleMetrics(deps.admin, also);
  app.get('/metrics', async (c) => {
    const text = await metrics.text();
    return c.body(text, 200, { 'content-type': metrics.contentType });
  });
  return app;
}
