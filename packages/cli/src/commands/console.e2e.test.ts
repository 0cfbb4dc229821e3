import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER, FAILING_KEYS, parkOrders } from '../fixtures/parkOrders.ts';
import { REPO_ROOT, runCli } from '../fixtures/runCli.ts';

const TOKEN = 'cli-console-operator-token';

describe('parley console', () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-console-'));
    ({ url } = await parkOrders(dir));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without a token', async () => {
    // runCli passes this process's environment on (each test file has a process of its own).
    delete process.env.PARLEY_CONSOLE_TOKEN;
    delete process.env.PARLEY_CONSOLE_READ_TOKEN;
    const result = await runCli(['console', '--store', url, '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs a token: --token <secret> or PARLEY_CONSOLE_TOKEN/);
  });

  it('serves the console on 127.0.0.1, printing its URL, until stopped', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'packages/cli/src/main.ts',
        'console',
        '--store',
        url,
        '--port',
        '0',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', PARLEY_CONSOLE_TOKEN: TOKEN } },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`parley console exited with ${code}`)));
      });
      const base = /^Parley console at (http:\/\/127\.0\.0\.1:\d+)\/ /.exec(line)?.[1];
      expect(base, line).toBeDefined();
      expect((await fetch(`${base}/failures`)).status).toBe(401);
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(await metrics.text()).toContain(
        `parley_dead_letters{messaging_consumer_group_name="${CONSUMER}",status="parked"} ${FAILING_KEYS.length}`,
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
