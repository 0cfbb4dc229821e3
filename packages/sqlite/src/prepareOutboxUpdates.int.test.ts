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

function outgoing(key: string): OutgoingMessage {
  return {
    topic: 'orders',
    partition: 0,
    id: newMessageId(),
    type: 'OrderPlaced',
    key,
    payload: '{}',
    headers: {},
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

const refused = { name: 'ParleyError', code: 'UNKNOWN_TOPIC', message: 'topic "orders" does not exist' };

describe('prepareOutboxUpdates', () => {
  it('sets pending rows aside so the relay reads past them, and leaves other rows alone', async () => {
    await store.commit({ ...emptyChange, outgoing: [outgoing('a'), outgoing('b'), outgoing('c')] });
    const [a, b, c] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: b!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['a', 'c']);
    expect(await store.getOutbox(b!.seq)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: refused,
      failedAt: '2025-01-02T00:00:00.000Z',
      actedBy: null,
    });
    // Already failed, or sent: unchanged.
    await store.markSent([a!.seq]);
    await store.setAsideOutbox(
      [
        { seq: b!.seq, error: refused },
        { seq: a!.seq, error: refused },
      ],
      '2025-01-03T00:00:00.000Z',
    );
    expect(await store.getOutbox(b!.seq)).toMatchObject({
      attempts: 1,
      failedAt: '2025-01-02T00:00:00.000Z',
    });
    expect(await store.getOutbox(a!.seq)).toBeUndefined();
    expect((await store.fetchOutbox(10)).map((r) => r.seq)).toEqual([c!.seq]);
  });

  it('discards only a failed row, recording who did it', async () => {
    await store.commit({ ...emptyChange, outgoing: [outgoing('a'), outgoing('b')] });
    const [a, b] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: a!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    expect(await store.discardOutbox(b!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toBeUndefined();
    expect(await store.getOutbox(b!.seq)).toMatchObject({ status: 'pending' });
    expect(await store.discardOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toMatchObject({
      seq: a!.seq,
      status: 'discarded',
      actedBy: 'ops',
      actedAt: '2025-01-03T00:00:00.000Z',
      error: refused,
    });
    expect(await store.discardOutbox(a!.seq, 'ops', '2025-01-04T00:00:00.000Z')).toBeUndefined();
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-04T00:00:00.000Z')).toBeUndefined();
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['b']);
  });

  it('puts a failed row back at its old place and wakes the relay', async () => {
    await store.commit({ ...emptyChange, outgoing: [outgoing('a'), outgoing('b')] });
    const [a] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: a!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    const woken = store.waitForChange(60_000, undefined, ['outbox']).then(() => true);
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toMatchObject({
      status: 'pending',
      attempts: 1,
      actedBy: 'ops',
    });
    expect(await woken).toBe(true);
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['a', 'b']);
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toBeUndefined();
  });
});
