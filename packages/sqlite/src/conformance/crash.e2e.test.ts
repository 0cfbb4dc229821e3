import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCrashTest, runRestartTest } from '@parley/testing';
import { afterAll } from 'vitest';
import { openSqlite } from './sqliteEnvironment.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

runCrashTest({
  name: 'sqlite',
  worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
  url: () => `sqlite:${path.join(dir, 'app.db')}`,
  open: () => Promise.resolve(openSqlite(dir)),
});

runCrashTest({
  name: 'sqlite, two instances',
  worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
  url: () => `sqlite:${path.join(dir, 'shared.db')}`,
  open: () => Promise.resolve(openSqlite(dir, undefined, 'shared.db')),
  instances: 2,
  kills: 10,
});

runRestartTest({
  name: 'sqlite',
  worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
  url: () => `sqlite:${path.join(dir, 'restart.db')}`,
  open: () => Promise.resolve(openSqlite(dir, undefined, 'restart.db')),
});
