import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWorkflowCrashTest } from '@parley/testing';
import { afterAll } from 'vitest';
import { openSqlite } from './sqliteEnvironment.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-workflow-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

runWorkflowCrashTest({
  name: 'sqlite',
  worker: fileURLToPath(new URL('./workflowCrashWorker.ts', import.meta.url)),
  url: () => `sqlite:${path.join(dir, 'app.db')}`,
  open: () => Promise.resolve(openSqlite(dir)),
});
