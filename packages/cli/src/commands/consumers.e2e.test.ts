import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsumerInfo } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER, FAILING_KEYS, parkOrders } from '../fixtures/parkOrders.ts';
import { runCli } from '../fixtures/runCli.ts';

describe('parley consumers', () => {
  let dir: string;
  let url: string;
  const consumers = (...args: string[]) => runCli(['consumers', ...args, '--store', url]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-consumers-'));
    ({ url } = await parkOrders(dir));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.concurrent(
    'lists consumers with their parked keys and dead letters (list is the default)',
    async ({ expect }) => {
      const { stdout, code } = await consumers('--json');
      expect(code).toBe(0);
      const list = JSON.parse(stdout) as ConsumerInfo[];
      expect(list).toEqual([
        expect.objectContaining({
          name: CONSUMER,
          source: 'cli-orders',
          status: 'running',
          lag: 0,
          parkedKeys: [...FAILING_KEYS].sort(),
          deadLetters: { parked: FAILING_KEYS.length },
        }),
      ]);
    },
  );

  it.concurrent('refuses to pause a consumer it does not know', async ({ expect }) => {
    const { code, stderr } = await consumers('pause', 'order-mailr');
    expect(code).toBe(1);
    expect(stderr).toBe(`parley: no consumer order-mailr in this store (known: ${CONSUMER})\n`);
  });

  it('pause and resume flip the status; the table shows why it is paused', async () => {
    const paused = await consumers('pause', CONSUMER, '--reason', 'mail server down');
    expect(paused).toMatchObject({ code: 0, stdout: `paused ${CONSUMER}: mail server down\n` });

    const table = await consumers('list');
    const [header, row] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+SOURCE\s+STATUS\s+LAG\s+PARKED KEYS\s+DEAD LETTERS$/);
    expect(row).toMatch(/^order-mailer\s+cli-orders\s+paused: mail server down\s+0\s+4\s+parked 4$/);

    const resumed = await consumers('resume', CONSUMER, '--by', 'carol', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      name: CONSUMER,
      status: 'running',
      reason: 'resumed by carol',
    });
  });
});
