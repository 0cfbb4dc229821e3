import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAdmin, createService, silentLogger, type DeadLetter, type Service } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/runCli.ts';
import { orders } from '../fixtures/shopApp.ts';

interface BulkJson {
  redriven: number;
  ids: string[];
  untouched: number;
  untouchedBy: Record<string, number>;
  untouchedIds: Array<{ id: string; reason: string; status: string | null }>;
}

async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('parley dlq, with operators and a consumer at work', () => {
  let dir: string;
  let url: string;
  let bus: ReturnType<typeof createSqliteBus>;
  let store: ReturnType<typeof createSqliteStore>;
  let service: Service | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-operators-'));
    url = `sqlite:${path.join(dir, 'shop.db')}`;
    bus = createSqliteBus(url);
    store = createSqliteStore(url, { bus });
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await store.close();
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const order = (key: string, n: number) => ({
    type: 'OrderPlaced' as const,
    key,
    payload: { orderId: `${key}-${n}`, amount: 10 },
  });

  it('ten concurrent redrive --all runs while failures arrive: none fails, each says what it left alone', async () => {
    const tries = new Map<string, number>();
    service = createService({ name: 'shop', store, bus, logger: silentLogger }).consumer({
      name: 'order-mailer',
      source: orders,
      retry: { immediateRetries: 0, initialInterval: 30, maxInterval: 60, delayedRetries: 5 },
      stormGuard: false,
      handle: {
        // Every order fails its first try; its delayed retry (or a redrive) then succeeds.
        OrderPlaced: ({ payload }) => {
          const n = (tries.get(payload.orderId) ?? 0) + 1;
          tries.set(payload.orderId, n);
          if (n === 1) throw new Error(`mail server busy for ${payload.orderId}`);
        },
      },
    });
    await service.start();
    const running = service;
    let publishing = true;
    const publisher = (async () => {
      for (let round = 0; publishing; round++) {
        await running.publish(
          orders,
          Array.from({ length: 20 }, (_, i) => order(`o${i}`, round)),
        );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await until(
      async () => ((await store.listDeadLetters({ status: 'retrying' })).length > 0 ? true : undefined),
      'failures',
    );
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => runCli(['dlq', 'redrive', '--all', '--json', '--store', url])),
    );
    publishing = false;
    await publisher;
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as BulkJson;
      expect(result.ids).toHaveLength(result.redriven);
      expect(result.untouchedIds).toHaveLength(result.untouched);
      expect(Object.values(result.untouchedBy).reduce((n, c) => n + c, 0)).toBe(result.untouched);
      for (const u of result.untouchedIds) expect(['already', 'changed', 'gone']).toContain(u.reason);
    }
    // Ten at once over the same dead letters: what one changed, the others found changed and counted.
    const total = (f: (r: BulkJson) => number) =>
      runs.reduce((n, run) => n + f(JSON.parse(run.stdout) as BulkJson), 0);
    expect(total((r) => r.redriven)).toBeGreaterThan(0);
    expect(total((r) => r.untouched)).toBeGreaterThan(0);
  });

  it('redrives escalated dead letters; refuses what does not apply with a count, a reason and exit code 1', async () => {
    let healthy = false;
    const published: string[] = [];
    service = createService({ name: 'shop', store, bus, logger: silentLogger }).consumer({
      name: 'order-mailer',
      source: orders,
      retry: { immediateRetries: 0, delayedRetries: 0, onExhausted: 'escalate' },
      stormGuard: false,
      handle: {
        OrderPlaced: ({ payload }) => {
          if (!healthy) throw new Error(`mail server refused ${payload.orderId}`);
          published.push(payload.orderId);
        },
      },
      onExhausted: () => undefined,
    });
    await service.start();
    await service.publish(
      orders,
      ['a', 'b', 'c'].map((k) => order(k, 1)),
    );
    const admin = createAdmin({ store, bus });
    const escalated = await until(async () => {
      const list = await admin.deadLetters.list({ status: 'escalated' });
      return list.length === 3 ? list : undefined;
    }, 'three escalations');
    await service.stop();
    service = undefined;
    const dlq = (...args: string[]) => runCli(['dlq', ...args, '--store', url]);

    // One after the other: a redrive finishing first would leave the discard nothing escalated to match.
    const discard = await dlq('discard', '--status', 'escalated');
    const redrive = await dlq('redrive', '--status', 'escalated', '--consumer', 'order-mailer', '--json');
    expect(discard).toEqual({
      code: 1,
      stderr: '',
      stdout: 'discarded 0 dead letters\nleft alone 3: 3 in no queue, cannot be discarded (escalated 3)\n',
    });
    const json = JSON.parse(redrive.stdout) as BulkJson;
    expect(redrive.code).toBe(0);
    expect(json).toMatchObject({ redriven: 3, untouched: 0 });
    expect(json.ids.sort()).toEqual(escalated.map((d: DeadLetter) => d.id).sort());

    const [again, one] = await Promise.all([
      dlq('redrive', '--status', 'redriven'),
      dlq('redrive', escalated[0]!.id),
    ]);
    expect(again).toEqual({
      code: 0,
      stderr: '',
      stdout: 'redriven 0 dead letters\nleft alone 3: 3 already redriven, not handled yet\n',
    });
    expect(one.stdout).toBe('redriven 0 dead letters\nleft alone 1: 1 already redriven, not handled yet\n');

    // Once the cause is fixed, the consumer replays them: the domain hears that they succeeded after all.
    healthy = true;
    const restarted = createService({ name: 'shop', store, bus, logger: silentLogger }).consumer({
      name: 'order-mailer',
      source: orders,
      retry: { onExhausted: 'escalate' },
      handle: { OrderPlaced: ({ payload }) => void published.push(payload.orderId) },
      onExhausted: () => undefined,
    });
    service = restarted;
    await restarted.start();
    await until(() => Promise.resolve(published.length === 3 ? true : undefined), 'the replays');
    expect(published.sort()).toEqual(['a-1', 'b-1', 'c-1']);
    await until(async () => {
      const list = await admin.deadLetters.list({ status: 'redriven' });
      return list.every((d) => d.action === null) ? true : undefined;
    }, 'the replays recorded');
    const handled = await dlq('redrive', escalated[1]!.id);
    expect(handled.code).toBe(1);
    expect(handled.stderr).toMatch(
      /^parley: dead letter \S+ is redriven and was handled; only parked, retrying/,
    );
  });
});
