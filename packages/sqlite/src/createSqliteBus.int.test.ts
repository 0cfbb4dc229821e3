import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newMessageId, type OutgoingMessage } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteBus, type SqliteBus } from './createSqliteBus.ts';

let dir: string;
let url: string;
const opened: SqliteBus[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  url = `sqlite:${path.join(dir, 'nested', 'bus.db')}`;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function openBus(): SqliteBus {
  const bus = createSqliteBus(url);
  opened.push(bus);
  return bus;
}

function message(topic: string, partition: number, type = 'Ping'): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type,
    key: `key-${partition}`,
    payload: JSON.stringify({ type }),
    headers: { correlationId: 'corr-1', custom: 'x' },
    occurredAt: new Date().toISOString(),
  };
}

describe('createSqliteBus', () => {
  it('creates the directory and describes the database', () => {
    const bus = openBus();
    expect(bus.description).toBe(url);
    expect(bus.filename).toBe(fs.realpathSync(path.join(dir, 'nested', 'bus.db')));
  });

  it('creates a topic once and refuses another partition count', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 4 });
    await bus.ensureTopic({ name: 'orders', partitions: 4 });
    await expect(bus.ensureTopic({ name: 'orders', partitions: 8 })).rejects.toThrow(
      /topic "orders" exists .* with 4 partitions, not 8/,
    );
    await expect(openBus().ensureTopic({ name: 'orders', partitions: 2 })).rejects.toThrow(
      /4 partitions, not 2/,
    );
    await expect(bus.ensureTopic({ name: 'empty', partitions: 0 })).rejects.toThrow(/positive integer/);
  });

  it('reads each partition in publish order, after a position, up to a limit', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    const sent = [
      message('orders', 0, 'a'),
      message('orders', 1, 'b'),
      message('orders', 0, 'c'),
      message('orders', 0, 'd'),
    ];
    await bus.publish(sent.slice(0, 2));
    await bus.publish(sent.slice(2));

    const zero = await bus.read('orders', 0, 0, 100);
    expect(zero.map((r) => r.type)).toEqual(['a', 'c', 'd']);
    expect(zero[0]).toEqual({ ...sent[0], position: zero[0]!.position });
    expect(zero.map((r) => r.position)).toEqual([...zero.map((r) => r.position)].sort((x, y) => x - y));
    expect((await bus.read('orders', 0, zero[0]!.position, 1)).map((r) => r.type)).toEqual(['c']);
    expect((await bus.read('orders', 1, 0, 100)).map((r) => r.type)).toEqual(['b']);

    expect(await bus.endPosition('orders', 0)).toBe(zero[2]!.position);
    expect(await bus.endPosition('orders', 1)).toBeGreaterThan(0);
    expect(await bus.endPosition('refunds', 0)).toBe(0);
  });

  it('counts the messages of a partition after a position, and lists topics', async () => {
    const bus = openBus();
    expect(await bus.listTopics()).toEqual([]);
    await bus.ensureTopic({ name: 'refunds', partitions: 1 });
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    await bus.publish([
      message('orders', 0),
      message('orders', 1),
      message('orders', 0),
      message('orders', 0),
    ]);
    const zero = await bus.read('orders', 0, 0, 10);

    expect(await bus.countAfter('orders', 0, 0)).toBe(3);
    expect(await bus.countAfter('orders', 0, zero[0]!.position)).toBe(2);
    expect(await bus.countAfter('orders', 0, zero[2]!.position)).toBe(0);
    expect(await bus.countAfter('orders', 1, 0)).toBe(1);
    expect(await bus.countAfter('refunds', 0, 0)).toBe(0);
    expect(await bus.countAfter('nowhere', 0, 0)).toBe(0);
    expect(await bus.listTopics()).toEqual([
      { name: 'orders', partitions: 2 },
      { name: 'refunds', partitions: 1 },
    ]);
  });

  it('drops a message whose id is already in the topic', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.ensureTopic({ name: 'refunds', partitions: 1 });
    const first = message('orders', 0);
    await bus.publish([first, first]);
    await bus.publish([
      { ...first, type: 'Changed' },
      { ...first, topic: 'refunds' },
    ]);
    expect((await bus.read('orders', 0, 0, 10)).map((r) => r.type)).toEqual(['Ping']);
    expect(await bus.read('refunds', 0, 0, 10)).toHaveLength(1);
  });

  it('publishes all or nothing, and names unknown topics and partitions', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    await expect(bus.publish([message('orders', 0), message('nowhere', 0)])).rejects.toThrow(
      /topic "nowhere" does not exist/,
    );
    await expect(bus.publish([message('orders', 0), message('orders', 2)])).rejects.toThrow(
      /partition 2 is outside/,
    );
    expect(await bus.endPosition('orders', 0)).toBe(0);
  });

  it('works in memory', async () => {
    const bus = createSqliteBus('sqlite::memory:');
    opened.push(bus);
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    const waiting = bus.waitForMessages(['orders'], 60_000);
    await bus.publish([message('orders', 0)]);
    await waiting;
    expect(await bus.read('orders', 0, 0, 10)).toHaveLength(1);
    expect(bus.filename).toBe(':memory:');
  });

  it('wakes a waiter when another connection publishes, and lets it time out otherwise', async () => {
    const bus = openBus();
    const other = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 1 });

    let started = Date.now();
    await bus.waitForMessages(['orders'], 150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // Let the poll back off to its idle interval first, as in a quiet system.
    const waiting = bus.waitForMessages(['orders'], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    started = Date.now();
    await other.publish([message('orders', 0)]);
    await waiting;
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('wakes in-process waiters of the published topics only, and resolves on abort and close', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.ensureTopic({ name: 'refunds', partitions: 1 });
    let refundsWoke = false;
    const refunds = bus.waitForMessages(['refunds'], 60_000).then(() => (refundsWoke = true));
    const orders = bus.waitForMessages(['refunds', 'orders'], 60_000);
    await bus.publish([message('orders', 0)]);
    await orders;
    expect(refundsWoke).toBe(false);

    const controller = new AbortController();
    const aborted = bus.waitForMessages(['orders'], 60_000, controller.signal);
    controller.abort();
    await aborted;

    await bus.close();
    await refunds;
    await expect(bus.waitForMessages(['orders'], 60_000)).resolves.toBeUndefined();
  });
});
