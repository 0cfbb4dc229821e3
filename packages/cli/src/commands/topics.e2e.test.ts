import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newMessageId, type TopicInfo } from '@parley/core';
import { createSqliteBus } from '@parley/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/runCli.ts';

describe('parley topics', () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-topics-'));
    url = `sqlite:${path.join(dir, 'bus.db')}`;
    const bus = createSqliteBus(url);
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.publish(
      Array.from({ length: 10 }, (_, i) => ({
        topic: 'orders',
        partition: 0,
        id: newMessageId(),
        type: 'Placed',
        key: `o-${i}`,
        payload: '{}',
        headers: {},
        occurredAt: new Date().toISOString(),
      })),
    );
    await bus.recordProgress('orders', 'billing', 0, 0);
    await bus.applyRetention('orders', { maxMessages: 3 }, Date.now());
    await bus.close();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows sizes, groups with their lag, and warns about what retention holds for a lagging group', async () => {
    const json = await runCli(['topics', '--store', url, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout) as TopicInfo[]).toEqual([
      {
        name: 'orders',
        partitions: 1,
        messages: 10,
        groups: [{ group: 'billing', lag: 10 }],
        held: 7,
        laggingGroups: ['billing'],
        removed: 0,
      },
    ]);
    const human = await runCli(['topics', '--store', url]);
    expect(human.stdout).toMatch(/orders\s+1\s+10\s+billing \(10\)\s+7\s+0/);
    expect(human.stdout).toContain(
      'warning: retention holds 7 message(s) of orders that billing has not processed yet',
    );
  });
});
