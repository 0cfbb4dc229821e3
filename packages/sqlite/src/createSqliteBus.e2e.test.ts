import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteBus } from './createSqliteBus.ts';
import { createSqliteStore } from './createSqliteStore.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Runs in a child process: opens the file as a service would (bus and store sharing it), then commits one
// outgoing message straight into the log and prints when it did.
const CHILD = `
import { emptyChange, newMessageId } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
const bus = createSqliteBus(process.env.PARLEY_URL);
const store = createSqliteStore(process.env.PARLEY_URL, { bus });
await bus.ensureTopic({ name: 'orders', partitions: 1 });
await new Promise((resolve) => setTimeout(resolve, Number(process.env.PARLEY_DELAY_MS)));
const message = { topic: 'orders', partition: 0, id: newMessageId(), type: 'Placed', key: 'k', payload: '{}',
  headers: {}, occurredAt: new Date().toISOString() };
await store.commit({ ...emptyChange, outgoing: [message] });
process.stdout.write(String(Date.now()));
await store.close();
await bus.close();
`;

function runChild(url: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CHILD],
      { cwd: repoRoot, env: { ...process.env, PARLEY_URL: url, PARLEY_DELAY_MS: String(delayMs) } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(stdout)) : reject(new Error(`child exited with ${code}: ${stderr}`)),
    );
  });
}

let dir: string;
let url: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  url = `sqlite:${path.join(dir, 'app.db')}`;
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQLite shared by processes', () => {
  it('wakes a waiter in this process when another process publishes', async () => {
    const bus = createSqliteBus(url);
    try {
      await bus.ensureTopic({ name: 'orders', partitions: 1 });
      const child = runChild(url, 300);
      const deadline = Date.now() + 20_000;
      while ((await bus.endPosition('orders', 0)) === 0 && Date.now() < deadline) {
        await bus.waitForMessages(['orders'], deadline - Date.now());
      }
      const wokeAt = Date.now();
      const publishedAt = await child;
      expect((await bus.read('orders', 0, 0, 10)).map((r) => r.type)).toEqual(['Placed']);
      expect(wokeAt - publishedAt).toBeLessThan(500);
    } finally {
      await bus.close();
    }
  });

  it('lets several processes create and migrate one new file at once', async () => {
    await Promise.all([runChild(url, 0), runChild(url, 0), runChild(url, 0)]);
    const bus = createSqliteBus(url);
    const store = createSqliteStore(url, { bus });
    try {
      expect(await bus.read('orders', 0, 0, 10)).toHaveLength(3);
      expect(await store.fetchOutbox(10)).toEqual([]);
    } finally {
      await store.close();
      await bus.close();
    }
  });
});
