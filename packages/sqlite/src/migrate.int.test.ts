import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { silentLogger } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledMigrations, loadMigrations, migrate } from './migrate.ts';

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
    expect(again.prepare('SELECT version, name FROM parley_migrations').all()).toEqual([
      { version: 1, name: 'initial' },
    ]);
  });

  it('applies only the new migrations of a later release', () => {
    const db = open();
    migrate(db, { logger: silentLogger });
    const later = [
      ...bundledMigrations(),
      { version: 2, name: 'later', sql: 'CREATE TABLE later (x INTEGER)' },
    ];
    expect(migrate(db, { migrations: later, logger: silentLogger })).toEqual([2]);
    expect(migrate(open(), { migrations: later, logger: silentLogger })).toEqual([]);
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
    expect(() => loadMigrations(pathToFileURL(`${migrations}/`))).toThrow(/without gaps/);
  });
});
