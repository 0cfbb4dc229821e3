import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createAdmin,
  emptyChange,
  newMessageId,
  silentLogger,
  type OutgoingMessage,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore, type SqliteBus } from '@parley/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole } from './createConsole.ts';
import { OPERATOR, READER } from './fixtures/cinemaConsole.ts';
import { signIn, type ConsoleClient } from './fixtures/signIn.ts';
import { serveConsole } from './serveConsole.ts';

function outgoing(topic: string, key: string, occurredAt: string): OutgoingMessage {
  return {
    topic,
    partition: 0,
    id: newMessageId(),
    type: 'Noted',
    key,
    payload: '{}',
    headers: { correlationId: `saga-${key}` },
    occurredAt,
  };
}

describe('the console’s outbox page', () => {
  let dir: string;
  let store: Store;
  let bus: SqliteBus;
  let served: { url: string; close(): Promise<void> };
  let operator: ConsoleClient;
  let reader: ConsoleClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-console-outbox-'));
    // The bus is another file: commits wait in the store's outbox for a relay, which this test never runs.
    bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`, { logger: silentLogger });
    store = createSqliteStore(`sqlite:${path.join(dir, 'store.db')}`, { bus, logger: silentLogger });
    const old = new Date(Date.now() - 90_000).toISOString();
    await store.commit({
      ...emptyChange,
      outgoing: [
        outgoing('orders', 'a', old),
        outgoing('orders', 'b', new Date().toISOString()),
        outgoing('invoices', 'c', old),
        outgoing('nowhere', 'd', old),
        outgoing('nowhere', 'e', old),
      ],
    });
    const rows = await store.fetchOutbox(10);
    const refused = rows.filter((r) => r.topic === 'nowhere').map((r) => r.seq);
    await store.setAsideOutbox(
      refused.map((seq) => ({ seq, error: { name: 'ParleyError', message: 'no topic nowhere on the bus' } })),
      new Date().toISOString(),
    );
    const app = createConsole(createAdmin({ store, bus }), {
      tokens: [OPERATOR, READER],
      sensitiveHeaders: ['correlationId'],
      logger: silentLogger,
    });
    served = await serveConsole(app, { port: 0 });
    [operator, reader] = await Promise.all([
      signIn(served.url, OPERATOR.secret),
      signIn(served.url, READER.secret),
    ]);
  });

  afterAll(async () => {
    await served?.close();
    await store?.close();
    await bus?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const row = (page: string, attribute: string) =>
    new RegExp(`<tr ${attribute}>([\\s\\S]*?)</tr>`)
      .exec(page)?.[1]
      ?.replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

  it('shows the backlog per destination topic with its oldest message, and the relay failures', async () => {
    const page = await (await reader.get('/outbox')).text();
    expect(row(page, 'data-topic="orders"')).toBe('orders 2 1 min 30 s 0 0');
    expect(row(page, 'data-topic="invoices"')).toMatch(/^invoices 1 1 min 3\d s 0 0$/);
    expect(row(page, 'data-topic="nowhere"')).toBe('nowhere 0 - 2 0');
    expect(page.match(/<tr data-seq=/g)).toHaveLength(2);
    expect(page).toContain('ParleyError: no topic nowhere on the bus');
    expect(page).not.toContain('saga-d');
    // A reader sees no actions.
    expect(page).not.toContain('/retry"');
    const summary = await createAdmin({ store, bus }).outbox.summary();
    expect(summary.map((t) => [t.topic, t.pending, t.failed])).toEqual([
      ['invoices', 1, 0],
      ['nowhere', 0, 2],
      ['orders', 2, 0],
    ]);
  });

  it('retries and discards a relay failure for an operator, with the CSRF token only', async () => {
    const [first, second] = await store.listOutbox({ status: 'failed' });
    expect((await reader.form(`/outbox/${first!.seq}/retry`, {})).status).toBe(403);
    expect((await operator.form(`/outbox/${first!.seq}/retry`, {}, { csrf: false })).status).toBe(403);
    const retried = await operator.form(`/outbox/${first!.seq}/retry`, {});
    expect(retried.status).toBe(303);
    expect((await store.getOutbox(first!.seq))?.status).toBe('pending');
    await operator.form(`/outbox/${second!.seq}/discard`, {});
    expect((await store.getOutbox(second!.seq))?.status).toBe('discarded');
    const again = await operator.form(`/outbox/${second!.seq}/discard`, {});
    expect(new URL(again.headers.get('location')!, served.url).searchParams.get('failed')).toMatch(
      /only failed messages can be discarded/,
    );
    const page = await (await operator.get('/outbox')).text();
    expect(row(page, 'data-topic="nowhere"')).toMatch(/^nowhere 1 1 min 3\d s 0 1$/);
  });
});
