import { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { failuresPage } from './failuresPage.ts';
import { groupFailures } from './groupFailures.ts';
import { groupPage } from './groupPage.ts';
import { selectFailures, selectionOf } from './FailureSelection.ts';

/** The failures page, a group's page, and the groups as JSON (`GET /api/failures`). */
export function failuresRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/failures', (c) => failuresPage(c, deps));
  app.get('/failures/groups/:group', (c) => groupPage(c, deps));
  app.get('/api/failures', async (c) => {
    const groups = groupFailures(await selectFailures(deps.admin, selectionOf(c.req.query())));
    return c.json(groups.map(({ members, ...group }) => ({ ...group, ids: members.map((m) => m.id) })));
  });
  return app;
}
