import { deadLetterKind, isParleyError, type Admin } from '@parley/core';
import { Hono, type Context } from 'hono';
import { formField } from '../auth/authenticate.ts';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { redirectWith } from '../html/layout.ts';
import { checkEdit } from './editPayload.ts';
import { failurePage } from './failurePage.ts';
import { fingerprintOf } from './fingerprint.ts';
import { maskDeadLetter } from './maskHeaders.ts';

/** One dead letter: its page, its JSON (headers masked), and its edit, redrive and discard. */
export function failureRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const at = (id: string) => `${deps.base}/failures/${encodeURIComponent(id)}`;

  app.get('/failures/:id', async (c) => {
    const found = await load(deps.admin, c.req.param('id'));
    return found === undefined ? notFound(c) : failurePage(c, deps, found);
  });

  app.get('/api/failures/:id', async (c) => {
    const found = await load(deps.admin, c.req.param('id'));
    if (found === undefined) return c.json({ error: `no dead letter ${c.req.param('id')}` }, 404);
    return c.json({
      ...maskDeadLetter(found, deps.sensitiveHeaders),
      kind: deadLetterKind(found),
      fingerprint: fingerprintOf(found),
    });
  });

  app.post('/failures/:id/edit', async (c) => {
    const id = c.req.param('id');
    const found = await load(deps.admin, id);
    if (found === undefined) return notFound(c);
    const text = (await formField(c, 'payload')) ?? '';
    const reason = ((await formField(c, 'reason')) ?? '').trim();
    const apply = (await formField(c, 'intent')) === 'apply';
    const user = c.get('user');
    const actor = { by: user.label, ...(reason === '' ? {} : { reason }) };
    const check = await checkEdit(deps.admin, deps.schemas, found, text, actor);
    if (!check.ok)
      return failurePage(c, deps, found, { text, reason, issues: check.issues, error: check.error });
    if (!apply) {
      const { before, after } = check.result;
      return failurePage(c, deps, found, { text, reason, issues: [], diff: { before, after } });
    }
    try {
      const result = await deps.admin.deadLetters.edit(id, JSON.parse(text) as unknown, actor);
      deps.audit(user, 'edit', `dead letter ${id}`, { reason: actor.reason });
      return redirectWith(c, at(id), { done: `Edited and ${result.deadLetter.status}.` });
    } catch (error) {
      if (!isParleyError(error)) throw error;
      return failurePage(c, deps, found, { text, reason, issues: [], error: error.message });
    }
  });

  for (const action of ['redrive', 'discard'] as const) {
    app.post(`/failures/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      const user = c.get('user');
      try {
        const result = await deps.admin.deadLetters[action](id, { by: user.label });
        deps.audit(user, action, `dead letter ${id}`);
        const done =
          result.changed.length > 0
            ? `${action === 'redrive' ? 'Redriven' : 'Discarded'}.`
            : `Already so: nothing changed.`;
        return redirectWith(c, at(id), { done });
      } catch (error) {
        if (!isParleyError(error)) throw error;
        return redirectWith(c, at(id), { failed: error.message });
      }
    });
  }
  return app;
}

async function load(admin: Admin, id: string) {
  try {
    return await admin.deadLetters.show(id);
  } catch (error) {
    if (isParleyError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

function notFound(c: Context<ConsoleEnv>): Response {
  return c.html('<!doctype html><title>Not found</title><p>404: no such dead letter</p>', 404);
}
