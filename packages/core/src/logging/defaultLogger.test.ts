import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL('./defaultLogger.ts', import.meta.url).href;

describe('defaultLogger', () => {
  it('writes warnings and errors to stderr as JSON, and nothing below warn, nothing to stdout', () => {
    const script = `
      const { defaultLogger } = await import(${JSON.stringify(moduleUrl)});
      const logger = defaultLogger().child({ service: 'shop' });
      logger.info({ step: 1 }, 'quiet');
      logger.warn({ step: 2 }, 'relay stuck');
      logger.error({ step: 3 }, 'consumer failing');
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; service: string });
    expect(lines.map((l) => [l.level, l.msg, l.service])).toEqual([
      [40, 'relay stuck', 'shop'],
      [50, 'consumer failing', 'shop'],
    ]);
  });

  it('is one logger for the process', async () => {
    const { defaultLogger } = await import('./defaultLogger.ts');
    expect(defaultLogger()).toBe(defaultLogger());
  });
});
