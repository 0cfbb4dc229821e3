import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emptyChange, newMessageId, type OutgoingMessage, type Store } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './createSqliteStore.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  store = createSqliteStore(`sqlite:${path.join(dir, 'app.db')}`);
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function outgoing(topic: string, key: string): OutgoingMessage {
  return {
    topic,
    partition: 1,
    id: newMessageId(),
    type: 'OrderPlaced',
    key,
    payload: '{"n":1}',
    headers: { correlationId: 'c-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

const refused = { name: 'ParleyError', code: 'PARTITION_OUT_OF_RANGE', message: 'partition 1 is outside' };

describe('prepareOutboxReads', () => {
  it('lists failed rows by default, filters by status, topic and seq, and gets one row', async () => {
    const messages = [
      outgoing('orders', 'a'),
      outgoing('orders', 'b'),
      outgoing('refunds', 'c'),
      outgoing('orders', 'd'),
    ];
    await store.commit({ ...emptyChange, outgoing: messages });
    const seqs = (await store.fetchOutbox(10)).map((r) => r.seq);
    await store.setAsideOutbox(
      [0, 2, 3].map((i) => ({ seq: seqs[i]!, error: refused })),
      '2025-01-02T00:00:00.000Z',
    );
    await store.discardOutbox(seqs[3]!, 'ops', '2025-01-03T00:00:00.000Z');

    const failed = await store.listOutbox();
    expect(failed.map((e) => e.key)).toEqual(['a', 'c']);
    expect(failed[0]).toEqual({
      ...messages[0],
      seq: seqs[0],
      status: 'failed',
      attempts: 1,
      error: refused,
      failedAt: '2025-01-02T00:00:00.000Z',
      actedBy: null,
      actedAt: null,
    });
    expect((await store.listOutbox({ status: 'pending' })).map((e) => e.key)).toEqual(['b']);
    expect((await store.listOutbox({ status: ['failed', 'discarded'] })).map((e) => e.key)).toEqual([
      'a',
      'c',
      'd',
    ]);
    expect((await store.listOutbox({ topic: 'refunds' })).map((e) => e.key)).toEqual(['c']);
    expect((await store.listOutbox({ after: seqs[0]! })).map((e) => e.key)).toEqual(['c']);
    expect((await store.listOutbox({ limit: 1 })).map((e) => e.key)).toEqual(['a']);
    expect(await store.getOutbox(seqs[1]!)).toMatchObject({ key: 'b', status: 'pending', error: null });
    expect(await store.getOutbox(9999)).toBeUndefined();
    await expect(store.listOutbox({ limit: -1 })).rejects.toThrow(/limit/);
  });
});
