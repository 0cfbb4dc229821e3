import Database from 'better-sqlite3';
import path from 'node:path';
import { createService, INVALID_HEADERS, silentLogger } from '@parley/core';
import { fixtures } from '@parley/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteEnvironment } from './conformance/sqliteEnvironment.ts';

const { numbers } = fixtures;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Rows written into the bus file by something other than Parley, mixed in with good messages. */
const HOSTILE: Array<{
  what: string;
  columns: Partial<Record<'id' | 'type' | 'key' | 'payload' | 'headers' | 'occurred_at', string>>;
}> = [
  { what: 'headers that are not JSON', columns: { headers: '{not json' } },
  { what: 'headers that are JSON null', columns: { headers: 'null' } },
  { what: 'headers that are an array', columns: { headers: '[1,2]' } },
  { what: 'a header that is not a string', columns: { headers: '{"correlationId":7}' } },
  { what: 'a payload that is not JSON', columns: { payload: '{"key":' } },
  { what: 'an unknown type', columns: { type: 'Nonsense' } },
  { what: 'an empty id', columns: { id: '' } },
];

describe('hostile rows in a SQLite bus', () => {
  it('dead-letters every row it cannot decode and handles every other message, crashing nothing', async () => {
    const env = sqliteEnvironment();
    cleanups.push(() => env.dispose());
    const conn = openSqlite(env.dir);
    cleanups.push(() => conn.close());
    const seen: string[] = [];
    const service = createService({
      name: 'reader',
      store: conn.store,
      bus: conn.bus,
      logger: silentLogger,
    }).consumer({
      name: 'read-numbers',
      source: numbers,
      retry: { onExhausted: 'skip' },
      handle: { Numbered: (m) => void seen.push(`${m.key}:${m.payload.seq}`) },
    });
    cleanups.push(() => service.stop());
    await conn.bus.ensureTopic(numbers);

    const db = new Database(path.join(env.dir, 'app.db'));
    const insert = db.prepare(
      `INSERT INTO messages (topic, partition, id, type, key, payload, headers, occurred_at)
       VALUES (@topic, 0, @id, @type, @key, @payload, @headers, @occurred_at)`,
    );
    let n = 0;
    const good = (key: string) => {
      n++;
      insert.run({
        topic: numbers.name,
        id: `good-${n}`,
        type: 'Numbered',
        key,
        payload: JSON.stringify({ key, seq: n }),
        headers: '{}',
        occurred_at: new Date().toISOString(),
      });
      return `${key}:${n}`;
    };
    const expected: string[] = [];
    HOSTILE.forEach((row, i) => {
      expected.push(good('healthy'));
      n++;
      insert.run({
        topic: numbers.name,
        id: `bad-${i}`,
        type: 'Numbered',
        key: `bad-${i}`,
        payload: JSON.stringify({ key: `bad-${i}`, seq: n }),
        headers: '{}',
        occurred_at: new Date().toISOString(),
        ...row.columns,
      });
    });
    expected.push(good('healthy'), good('other'));
    db.close();

    await service.start();
    await service.whenIdle();
    // JSON null headers are no headers: that message is handled like any other.
    const handledHostile = seen.filter((s) => s.startsWith('bad-'));
    expect(handledHostile).toEqual([`bad-1:${4}`]);
    // In order per key; keys run side by side.
    for (const key of ['healthy', 'other'])
      expect(seen.filter((s) => s.startsWith(`${key}:`))).toEqual(
        expected.filter((s) => s.startsWith(`${key}:`)),
      );
    const deadLetters = await conn.store.listDeadLetters({});
    expect(deadLetters.map((d) => [d.reason, d.message.key]).sort()).toEqual(
      ['bad-0', 'bad-2', 'bad-3', 'bad-4', 'bad-5', 'bad-6'].map((key) => ['invalid', key]).sort(),
    );
    const notJson = deadLetters.find((d) => d.message.key === 'bad-0');
    expect(notJson?.message.headers).toEqual({ [INVALID_HEADERS]: '{not json' });
    expect(notJson?.error.message).toMatch(/headers that are not a JSON object of strings/);
  });
});
