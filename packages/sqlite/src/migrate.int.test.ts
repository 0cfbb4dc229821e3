import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { emptyChange, newMessageId, silentLogger } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteBus } from './createSqliteBus.ts';
import { createSqliteStore } from './createSqliteStore.ts';
import { loadMigrations } from '@parley/sql';
import { bundledMigrations, migrate } from './migrate.ts';

let dir: string;
const databases: Database.Database[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
});

afterEach(() => {
  for (const db of databases.splice(0)) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(): Database.Database {
  const db = new Database(path.join(dir, 'app.db'), { timeout: 5000 });
  databases.push(db);
  return db;
}

describe('migrate', () => {
  it('applies every migration once, however often the file is opened', () => {
    const all = bundledMigrations().map((m) => m.version);
    expect(migrate(open(), { logger: silentLogger })).toEqual(all);
    const again = open();
    expect(migrate(again, { logger: silentLogger })).toEqual([]);
    expect(migrate(again, { logger: silentLogger })).toEqual([]);
    expect(again.prepare('SELECT version, name FROM parley_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'failure_handling' },
      { version: 3, name: 'retention_and_leases' },
      { version: 4, name: 'outbox_failures' },
      { version: 5, name: 'consumer_samples' },
      { version: 6, name: 'messages_by_correlation' },
    ]);
  });

  it('applies only the new migrations of a later release', () => {
    const db = open();
    migrate(db, { logger: silentLogger });
    const next = bundledMigrations().length + 1;
    const later = [
      ...bundledMigrations(),
      { version: next, name: 'later', sql: 'CREATE TABLE later (x INTEGER)' },
    ];
    expect(migrate(db, { migrations: later, logger: silentLogger })).toEqual([next]);
    expect(migrate(open(), { migrations: later, logger: silentLogger })).toEqual([]);
  });

  it('brings a database of version 1 up to date and keeps its data', async () => {
    const v1 = open();
    expect(migrate(v1, { migrations: bundledMigrations().slice(0, 1), logger: silentLogger })).toEqual([1]);
    v1.exec(`
      INSERT INTO events (entity, entity_id, version, id, type, data, metadata, occurred_at)
        VALUES ('show', 's1', 1, 'e1', 'Created', '{"n":1}', '{}', '2025-01-01T00:00:00.000Z');
      INSERT INTO documents (model, id, doc) VALUES ('shows', 's1', '{"title":"Hamlet"}');
      INSERT INTO checkpoints (consumer, source, partition, position, version) VALUES ('c', 'orders', 0, 7, 3);
      INSERT INTO outbox (topic, partition, id, type, key, payload, headers, occurred_at)
        VALUES ('refunds', 0, 'o1', 'Refunded', 'k', '{}', '{}', '2025-01-01T00:00:00.000Z');
      INSERT INTO topics (name, partitions) VALUES ('orders', 2);
      INSERT INTO messages (topic, partition, id, type, key, payload, headers, occurred_at)
        VALUES ('orders', 1, 'm1', 'Placed', 'k', '{}', '{}', '2025-01-01T00:00:00.000Z');
    `);
    v1.close();

    const url = `sqlite:${path.join(dir, 'app.db')}`;
    const bus = createSqliteBus(url);
    const store = createSqliteStore(url);
    try {
      expect((await store.readStream('show', 's1', 0)).map((e) => [e.id, e.data])).toEqual([
        ['e1', { n: 1 }],
      ]);
      expect(await store.getDocument('shows', 's1')).toEqual({ title: 'Hamlet' });
      expect(await store.listCursors()).toEqual([
        { consumer: 'c', source: 'orders', partition: 0, position: 7 },
      ]);
      expect((await store.fetchOutbox(10)).map((r) => r.id)).toEqual(['o1']);
      expect(await bus.listTopics()).toEqual([{ name: 'orders', partitions: 2 }]);
      expect((await bus.read('orders', 1, 0, 10)).map((r) => r.id)).toEqual(['m1']);

      const message = {
        topic: 'orders',
        partition: 0,
        id: newMessageId(),
        type: 'Reminder',
        key: 'k',
        payload: '{}',
        headers: {},
        occurredAt: '2025-01-01T00:00:00.000Z',
      };
      await store.commit({ ...emptyChange, timers: [{ id: 't1', dueAt: 5, message }] });
      expect(await store.nextTimerDue()).toBe(5);
    } finally {
      await store.close();
      await bus.close();
    }
    expect(open().prepare('SELECT version FROM parley_migrations ORDER BY version').pluck().all()).toEqual(
      bundledMigrations().map((m) => m.version),
    );
  });

  it('rolls a failing migration back entirely', () => {
    const db = open();
    const broken = [
      { version: 1, name: 'broken', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (y INTEGER);' },
    ];
    expect(() => migrate(db, { migrations: broken, logger: silentLogger })).toThrow(/already exists/);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name IN ('a', 'parley_migrations')").all(),
    ).toEqual([]);
  });

  it('refuses migration files with a gap in their numbers', () => {
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '0001_first.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(migrations, '0003_third.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(migrations, 'README.md'), 'not a migration');
    expect(() => loadMigrations(pathToFileURL(`${migrations}/`), 'the test')).toThrow(/without gaps/);
  });
});
