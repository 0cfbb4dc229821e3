import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createService, newMessageId, type TopicInfo } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/runCli.ts';
import { orders } from '../fixtures/shopApp.ts';

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

  it('shows a group caught up right after its service stops (its last progress is reported on stop)', async () => {
    const shopUrl = `sqlite:${path.join(dir, 'shop.db')}`;
    const bus = createSqliteBus(shopUrl);
    const store = createSqliteStore(shopUrl, { bus });
    const service = createService({ name: 'shop', store, bus }).consumer({
      name: 'mailer',
      source: orders,
      handle: { OrderPlaced: () => {} },
    });
    let committed = 0;
    service.on('consumer:committed', (event) => (committed += event.messages));
    try {
      await service.start();
      // The group registers at once; later reports come at most once a second, so stop well within one.
      const deadline = Date.now() + 5000;
      while (!(await bus.listProgress(orders.name)).some((p) => p.group === 'mailer')) {
        if (Date.now() > deadline) throw new Error('the consumer group never registered');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await service.publish(
        orders,
        Array.from({ length: 6 }, (_, i) => ({
          type: 'OrderPlaced' as const,
          key: `o-${i}`,
          payload: { orderId: `o-${i}`, amount: 1 },
        })),
      );
      while (committed < 6) {
        if (Date.now() > deadline) throw new Error(`only ${committed} of 6 orders committed`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await service.stop();
      await store.close();
      await bus.close();
    }
    const { stdout, code } = await runCli(['topics', '--store', shopUrl, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout) as TopicInfo[]).toEqual([
      expect.objectContaining({ name: orders.name, messages: 6, groups: [{ group: 'mailer', lag: 0 }] }),
    ]);
  });
});
