import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newMessageId } from '@parley/core';
import { createSqliteBus } from '@parley/sqlite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CONSUMER, FAILING_KEYS, parkOrders } from './fixtures/parkOrders.ts';
import { runCli } from './fixtures/runCli.ts';

/** Root may write any file: to see a file that may only be read, the CLI then runs as `nobody`. */
const ROOT = process.getuid?.() === 0;
const READER = ROOT ? { uid: 65534, gid: 65534 } : {};

describe('what --store may name', () => {
  let dir: string;
  let url: string;
  let readOnlyDir: string;

  /** The files in `at`, but for SQLite's own beside open databases (the tests run at once). */
  const files = (at: string) =>
    fs
      .readdirSync(at)
      .filter((name) => !/-(wal|shm)$/.test(name))
      .sort();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-open-'));
    ({ url } = await parkOrders(dir));
    fs.writeFileSync(path.join(dir, 'empty.db'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database\n');
    const bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`);
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.publish([
      {
        topic: 'orders',
        partition: 0,
        id: newMessageId(),
        type: 'Placed',
        key: 'o-1',
        payload: '{}',
        headers: {},
        occurredAt: new Date().toISOString(),
      },
    ]);
    await bus.close();
    // A copy of the store that this user (or, for root, `nobody`) may only read, in a directory it may not write.
    readOnlyDir = path.join(dir, 'read-only');
    fs.mkdirSync(readOnlyDir);
    fs.copyFileSync(url.slice('sqlite:'.length), path.join(readOnlyDir, 'shop.db'));
    fs.chmodSync(path.join(readOnlyDir, 'shop.db'), 0o444);
    fs.chmodSync(readOnlyDir, 0o555);
    fs.chmodSync(dir, 0o755);
  });

  afterAll(() => {
    if (readOnlyDir !== undefined) fs.chmodSync(readOnlyDir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent(
    'refuses what is not a Parley store, saying what it is, and changes nothing',
    async ({ expect }) => {
      const list = (store: string) => runCli(['dlq', 'list', '--store', store]);
      const before = files(dir);
      const [memory, empty, text, bus, folder, missing] = await Promise.all([
        list('sqlite::memory:'),
        list(path.join(dir, 'empty.db')),
        list(`sqlite:${path.join(dir, 'notes.txt')}`),
        list(`sqlite:${path.join(dir, 'bus.db')}`),
        list(dir),
        list(path.join(dir, 'typo.db')),
      ]);
      expect(memory).toMatchObject({ code: 1, stdout: '' });
      expect(memory.stderr).toMatch(
        /^parley: sqlite::memory: is an in-memory database: .* holds no Parley store/,
      );
      expect(empty).toMatchObject({ code: 1, stdout: '' });
      expect(empty.stderr).toMatch(/empty\.db is an empty file, not a Parley database/);
      expect(text).toMatchObject({ code: 1, stdout: '' });
      expect(text.stderr).toMatch(/notes\.txt\) is not a SQLite database/);
      expect(bus).toMatchObject({ code: 1, stdout: '' });
      expect(bus.stderr).toMatch(
        /bus\.db holds topics \(orders\) but nothing of a service .*: it is a bus, not a service's store. Give the store with --store and this file with --bus/,
      );
      expect(folder).toMatchObject({ code: 1, stdout: '' });
      expect(folder.stderr).toMatch(/is a directory, not a database file/);
      expect(missing).toMatchObject({ code: 1, stdout: '' });
      expect(missing.stderr).toMatch(/^parley: no store database at .*typo\.db .*nothing was created there/);
      expect(files(dir)).toEqual(before);
      expect(fs.statSync(path.join(dir, 'empty.db')).size).toBe(0);
    },
  );

  it.concurrent('takes a bus file as the store of `topics`, which only reads the bus', async ({ expect }) => {
    const topics = await runCli(['topics', '--store', path.join(dir, 'bus.db'), '--json']);
    expect(topics.stderr).toBe('');
    expect(topics.code).toBe(0);
    expect(JSON.parse(topics.stdout)).toEqual([expect.objectContaining({ name: 'orders', messages: 1 })]);
  });

  it.concurrent(
    'lists a store this user may only read, leaving nothing beside it, and says why a change is refused',
    async ({ expect }) => {
      const store = `sqlite:${path.join(readOnlyDir, 'shop.db')}`;
      const [list, consumers, pause] = await Promise.all([
        runCli(['dlq', 'list', '--store', store, '--json'], READER),
        runCli(['consumers', '--store', store, '--json'], READER),
        runCli(['consumers', 'pause', CONSUMER, '--store', store], READER),
      ]);
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as Array<{ key: string }>).map((d) => d.key).sort()).toEqual(
        [...FAILING_KEYS].sort(),
      );
      expect(consumers.code).toBe(0);
      expect(JSON.parse(consumers.stdout)).toEqual([
        expect.objectContaining({ name: CONSUMER, deadLetters: { parked: FAILING_KEYS.length } }),
      ]);
      expect(pause.code).toBe(1);
      expect(pause.stderr).toMatch(
        /shop\.db may only be read by this user, and this command would change it/,
      );
      expect(fs.readdirSync(readOnlyDir)).toEqual(['shop.db']);
    },
  );
});
