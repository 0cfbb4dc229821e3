import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteInstanceSlots } from './createSqliteInstanceSlots.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function databaseFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-slots-'));
  dirs.push(dir);
  return path.join(dir, 'app.db');
}

describe('createSqliteInstanceSlots', () => {
  it('gives each live claimer its own lowest free name, per service, and takes a released one back', async () => {
    const slots = createSqliteInstanceSlots(databaseFile());
    const a = await slots.claim('wallet');
    const b = await slots.claim('wallet');
    const other = await slots.claim('show');
    expect([a.id, b.id, other.id]).toEqual(['wallet-0', 'wallet-1', 'show-0']);
    await a.release();
    await a.release();
    expect((await slots.claim('wallet')).id).toBe('wallet-0');
    expect((await slots.claim('wallet')).id).toBe('wallet-2');
  });

  it('frees the name of a process the moment it is killed', async () => {
    const file = databaseFile();
    const moduleUrl = new URL('./createSqliteInstanceSlots.ts', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { createSqliteInstanceSlots } = await import(${JSON.stringify(moduleUrl)});
         const slot = await createSqliteInstanceSlots(${JSON.stringify(file)}).claim('wallet');
         process.stdout.write(slot.id + '\\n');
         setInterval(() => {}, 1 << 30);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const claimed = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    expect(claimed).toBe('wallet-0');
    const slots = createSqliteInstanceSlots(file);
    const whileAlive = await slots.claim('wallet');
    expect(whileAlive.id).toBe('wallet-1');
    child.kill('SIGKILL');
    await exited;
    expect((await slots.claim('wallet')).id).toBe('wallet-0');
  });

  it('refuses a service name that cannot be a file name', async () => {
    await expect(createSqliteInstanceSlots(databaseFile()).claim('../x')).rejects.toThrow(/cannot name/);
  });
});
