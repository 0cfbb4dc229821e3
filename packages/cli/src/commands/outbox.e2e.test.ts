import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createService,
  defineTopic,
  emptyChange,
  newMessageId,
  silentLogger,
  type OutgoingMessage,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore, type SqliteBus } from '@parley/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../fixtures/runCli.ts';

const orders = defineTopic({
  name: 'cli-outbox-orders',
  partitions: 4,
  messages: { Noted: z.object({ n: z.number() }) },
});

function outgoing(topic: string, partition: number, key: string): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type: 'Noted',
    key,
    payload: JSON.stringify({ n: 1 }),
    headers: { correlationId: 'c-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

describe('parley outbox', () => {
  let dir: string;
  let url: string;
  let store: Store;
  let bus: SqliteBus;
  /** seq of the row outside the topic's partitions, and of the row for a topic that does not exist. */
  let outside: number;
  let lost: number;

  const outbox = (...args: string[]) => runCli(['outbox', ...args, '--store', url]);
  const outboxJson = async <T>(...args: string[]): Promise<T> => {
    const result = await outbox(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-outbox-'));
    url = `sqlite:${path.join(dir, 'shop.db')}`;
    // The store is its own file, so messages wait in its outbox for the relay.
    bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`);
    store = createSqliteStore(url);
    await bus.ensureTopic(orders);
    await store.commit({
      ...emptyChange,
      outgoing: [
        outgoing(orders.name, 0, 'good'),
        outgoing(orders.name, 10, 'outside'),
        outgoing('cli-outbox-missing', 0, 'lost'),
      ],
    });
    const service = createService({ name: 'shop', store, bus, logger: silentLogger });
    await service.start();
    await service.whenIdle();
    await service.stop();
    const failed = await store.listOutbox();
    expect(failed.map((e) => e.key)).toEqual(['outside', 'lost']);
    [outside, lost] = failed.map((e) => e.seq) as [number, number];
    expect(await bus.read(orders.name, 0, 0, 10)).toHaveLength(1);
  });

  afterAll(async () => {
    await store?.close();
    await bus?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('reading and refusing (nothing changes)', () => {
    it.concurrent(
      'list --json prints one flat object per failed message, in outbox order',
      async ({ expect }) => {
        const list = await outboxJson<Array<Record<string, unknown>>>('list');
        expect(list.map((e) => e.key)).toEqual(['outside', 'lost']);
        expect(list[0]).toEqual({
          seq: outside,
          status: 'failed',
          topic: orders.name,
          partition: 10,
          type: 'Noted',
          key: 'outside',
          messageId: expect.any(String) as unknown,
          occurredAt: '2025-01-01T00:00:00.000Z',
          attempts: 1,
          error: expect.stringMatching(
            /partition 10 is outside topic "cli-outbox-orders" \(0 to 3\)/,
          ) as unknown,
          errorCode: 'PARTITION_OUT_OF_RANGE',
          failedAt: expect.any(String) as unknown,
          actedBy: null,
          actedAt: null,
        });
        expect(list[1]).toMatchObject({
          errorCode: 'UNKNOWN_TOPIC',
          error: expect.stringMatching(/cli-outbox-missing/) as unknown,
        });
      },
    );

    it.concurrent(
      'list prints a table; --status and --topic filter, and say when nothing matches',
      async ({ expect }) => {
        const [table, pending, byTopic, bad] = await Promise.all([
          outbox('list'),
          outbox('list', '--status', 'pending'),
          outboxJson<Array<{ key: string }>>(
            'list',
            '--topic',
            'cli-outbox-missing',
            '--status',
            'failed,pending',
          ),
          outbox('list', '--status', 'stuck'),
        ]);
        expect(table.code).toBe(0);
        expect(table.stdout).toMatch(/^\s*SEQ\s+STATUS\s+TOPIC/);
        expect(table.stdout).toMatch(/failed\s+cli-outbox-orders\s+10\s+Noted\s+outside\s+1/);
        expect(pending.stdout.trim()).toBe('no pending outbox messages');
        expect(byTopic.map((e) => e.key)).toEqual(['lost']);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/unknown status "stuck"/);
      },
    );

    it.concurrent(
      'show prints the message and why the bus refused it; an unknown seq is an error',
      async ({ expect }) => {
        const [shown, missing] = await Promise.all([
          outbox('show', String(outside)),
          outbox('show', '99999'),
        ]);
        expect(shown.code).toBe(0);
        expect(shown.stdout).toContain(`Outbox message ${outside}`);
        expect(shown.stdout).toMatch(/topic\s+cli-outbox-orders \(partition 10\)/);
        expect(shown.stdout).toMatch(/code\s+PARTITION_OUT_OF_RANGE/);
        expect(shown.stdout).toContain('"n": 1');
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/no outbox message 99999/);
      },
    );
  });

  describe('acting', () => {
    it('discard drops a failed message for good, recording who; a second discard is refused', async () => {
      const discarded = await outboxJson<Record<string, unknown>>('discard', String(outside), '--by', 'ops');
      expect(discarded).toMatchObject({ seq: outside, status: 'discarded', actedBy: 'ops' });
      const again = await outbox('discard', String(outside), '--by', 'ops');
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is discarded: only failed messages can be discarded/);
      expect((await store.getOutbox(outside))?.status).toBe('discarded');
      expect((await store.fetchOutbox(10)).map((r) => r.seq)).not.toContain(outside);
    });

    it('retry puts a failed message back in the queue, where the relay finds it', async () => {
      await bus.ensureTopic({ name: 'cli-outbox-missing', partitions: 1 });
      const retried = await outbox('retry', String(lost), '--by', 'ops');
      expect(retried.code).toBe(0);
      expect(retried.stdout).toMatch(
        `outbox message ${lost} (Noted, key lost to cli-outbox-missing) is pending again`,
      );
      expect((await store.fetchOutbox(10)).map((r) => r.seq)).toEqual([lost]);
      const service = createService({ name: 'shop', store, bus, logger: silentLogger });
      await service.start();
      await service.whenIdle();
      await service.stop();
      expect((await bus.read('cli-outbox-missing', 0, 0, 10)).map((r) => r.key)).toEqual(['lost']);
      const retryAgain = await outbox('retry', String(lost), '--by', 'ops');
      expect(retryAgain.code).toBe(1);
      expect(retryAgain.stderr).toMatch(/no outbox message/);
    });
  });
});
