import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './startCheckpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function open(): { db: Database.Database; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoint-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // nothing but the checkpointer copies the log back
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  return { db, file: fs.realpathSync(file) };
}

/** Writes about `mib` MiB of 4 KiB rows in transactions of 64. */
function write(db: Database.Database, mib: number): void {
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  const batch = db.transaction(() => {
    for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(4096, i));
  });
  for (let i = 0; i < mib * 4; i++) batch();
}

/**
 * The WAL header's checkpoint sequence number: a writer bumps it when it starts the log over, which it does only
 * after the whole log was checkpointed.
 */
function walGeneration(file: string): number {
  return fs.readFileSync(`${file}-wal`).readUInt32BE(12);
}

/** Keeps committing small transactions until the log has started over, or `ms` have passed. */
async function restartsWithin(db: Database.Database, file: string, ms: number): Promise<boolean> {
  const before = walGeneration(file);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    write(db, 0.25);
    if (walGeneration(file) !== before) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('startCheckpointer', () => {
  it('copies the write-ahead log back while another connection writes, so the log starts over', async () => {
    const { db, file } = open();
    const checkpointer = startCheckpointer(file, silentLogger);
    try {
      write(db, 8);
      expect(await restartsWithin(db, file, 20_000)).toBe(true);
      expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBeGreaterThan(8 * 4 * 64);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('is needed: without it the log never starts over', async () => {
    const { db, file } = open();
    try {
      write(db, 8);
      expect(await restartsWithin(db, file, 1500)).toBe(false);
    } finally {
      db.close();
    }
  });

  it('is shared by the connections of a file and keeps working until the last of them stops', async () => {
    const { db, file } = open();
    const first = startCheckpointer(file, silentLogger);
    const second = startCheckpointer(file, silentLogger);
    await first.stop();
    try {
      write(db, 8);
      expect(await restartsWithin(db, file, 20_000)).toBe(true);
    } finally {
      await second.stop();
      db.close();
    }
  });
});
