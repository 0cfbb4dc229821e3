import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAdmin, emptyChange, silentLogger, type DeadLetter } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './createSqliteStore.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function parked(i: number): DeadLetter {
  const id = `01J${String(i).padStart(23, '0')}`;
  return {
    id,
    consumer: 'mailer',
    message: {
      id: `m-${i}`,
      type: 'OrderPlaced',
      key: `o-${i}`,
      payload: '{}',
      headers: {},
      occurredAt: '2026-01-01T00:00:00.000Z',
      source: 'orders',
      partition: 0,
      position: i,
    },
    status: 'parked',
    reason: 'failed',
    attempts: 3,
    error: { name: 'Error', message: 'mail server down' },
    firstFailedAt: '2026-01-01T00:00:00.000Z',
    lastFailedAt: '2026-01-01T00:00:00.000Z',
    action: null,
    dueAt: null,
    edits: [],
    version: 0,
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('bulk dead-letter operations', () => {
  it('act on every dead letter a filter matches, page after page, and stop at a given limit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bulk-'));
    dirs.push(dir);
    const store = createSqliteStore(`sqlite:${path.join(dir, 'app.db')}`, { logger: silentLogger });
    try {
      const count = 1_234;
      await store.commit({ ...emptyChange, deadLetters: Array.from({ length: count }, (_, i) => parked(i)) });
      const admin = createAdmin({ store });
      const some = await admin.deadLetters.discard({ consumer: 'mailer', limit: 600 }, { by: 'ops' });
      expect(some.changed).toHaveLength(600);
      const rest = await admin.deadLetters.redrive({ consumer: 'mailer' }, { by: 'ops' });
      expect(rest.changed).toHaveLength(count - 600);
      expect(rest.untouched).toHaveLength(0);
      const statuses = new Map<string, number>();
      for (let after: string | undefined; ;) {
        const page = await store.listDeadLetters({ limit: 1000, ...(after === undefined ? {} : { after }) });
        for (const d of page) statuses.set(d.status, (statuses.get(d.status) ?? 0) + 1);
        if (page.length < 1000) break;
        after = page.at(-1)?.id;
      }
      expect(Object.fromEntries(statuses)).toEqual({ discarded: 600, redriven: count - 600 });
    } finally {
      await store.close();
    }
  });
});
