import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { newMessageId, type OutgoingMessage } from '@parley/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from './createNatsBus.ts';
import { NATS_URL, natsAvailable, removePrefix, uniquePrefix } from './testkit/natsServer.ts';

const available = await natsAvailable();
const prefix = uniquePrefix('bus');
const buses: NatsBus[] = [];

function open(): NatsBus {
  const bus = createNatsBus({ servers: NATS_URL, prefix });
  buses.push(bus);
  return bus;
}

let clock = Date.now();
function message(topic: string, partition: number, key: string, n: number): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(++clock),
    type: 'Numbered',
    key,
    payload: JSON.stringify({ n }),
    headers: { correlationId: `c-${n}` },
    occurredAt: new Date(clock).toISOString(),
  };
}

async function consumersOf(stream: string): Promise<number> {
  const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.consumer_count;
  } finally {
    await nc.close();
  }
}

describe.runIf(available)('createNatsBus', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  afterAll(() => removePrefix(prefix));

  it('creates topics once and refuses another partition count', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'shows.v1', partitions: 3 });
    await bus.ensureTopic({ name: 'shows.v1', partitions: 3 });
    await expect(bus.ensureTopic({ name: 'shows.v1', partitions: 4 })).rejects.toThrow(
      /exists .* with 3 partitions, not 4/,
    );
    await expect(open().ensureTopic({ name: 'shows.v1', partitions: 2 })).rejects.toThrow(/3 partitions/);
    expect(await bus.listTopics()).toContainEqual({ name: 'shows.v1', partitions: 3 });
  });

  it('reads each partition in publish order, from any position, and drops republished ids', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'ordered', partitions: 2 });
    const sent = Array.from({ length: 40 }, (_, n) => message('ordered', n % 2, `k${n % 5}`, n));
    await bus.publish(sent);
    await bus.publish(sent.slice(10, 30)); // a relay publishing again after a crash

    const all = await bus.read('ordered', 0, 0, 100);
    expect(all.map((r) => r.id)).toEqual(sent.filter((m) => m.partition === 0).map((m) => m.id));
    expect(all[0]).toMatchObject({ topic: 'ordered', partition: 0, type: 'Numbered', key: 'k0' });
    expect(all[0]?.headers).toEqual({ correlationId: 'c-0' });
    expect(all[0]?.payload).toBe('{"n":0}');
    const positions = all.map((r) => r.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // Paging on from where the last batch ended (the pooled consumer's path) and from elsewhere.
    const paged = [];
    let after = 0;
    for (;;) {
      const batch = await bus.read('ordered', 0, after, 7);
      if (batch.length === 0) break;
      paged.push(...batch);
      after = batch.at(-1)?.position ?? after;
    }
    expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect((await bus.read('ordered', 0, positions[4] ?? 0, 3)).map((r) => r.position)).toEqual(
      positions.slice(5, 8),
    );
    expect(await bus.read('ordered', 0, positions.at(-1) ?? 0, 10)).toEqual([]);
    expect(await bus.read('ordered', 1, 0, 0)).toEqual([]);

    expect(await bus.endPosition('ordered', 0)).toBe(positions.at(-1));
    expect(await bus.countAfter('ordered', 0, 0)).toBe(20);
    expect(await bus.countAfter('ordered', 0, positions[14] ?? 0)).toBe(5);
    expect(await bus.countAfter('ordered', 1, 0)).toBe(20);
  });

  it('treats unknown topics as empty and rejects partitions outside the topic', async () => {
    const bus = open();
    expect(await bus.read('missing', 0, 0, 10)).toEqual([]);
    expect(await bus.endPosition('missing', 0)).toBe(0);
    await bus.ensureTopic({ name: 'small', partitions: 1 });
    await expect(bus.publish([message('small', 1, 'k', 1)])).rejects.toThrow(/outside topic/);
    await expect(bus.publish([message('missing', 0, 'k', 1)])).rejects.toThrow(/does not exist/);
  });

  it('leaves no consumer on the server after close', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'leaks', partitions: 2 });
    await bus.publish([message('leaks', 0, 'a', 1), message('leaks', 1, 'b', 2)]);
    for (let i = 0; i < 10; i++) await bus.read('leaks', i % 2, i % 3, 5);
    await bus.countAfter('leaks', 0, 0);
    await bus.close();
    expect(await consumersOf(`${prefix}_leaks`)).toBe(0);
  });

  it('wakes a waiter on a publish from another connection, and on timeout and abort', async () => {
    const waiter = open();
    const publisher = open();
    await publisher.ensureTopic({ name: 'wakes', partitions: 2 });
    await waiter.waitForMessages(['wakes'], 1); // subscribes
    const started = Date.now();
    const woken = waiter.waitForMessages(['other', 'wakes'], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await publisher.publish([message('wakes', 1, 'k', 1)]);
    await woken;
    expect(Date.now() - started).toBeLessThan(1000);

    const timedOut = Date.now();
    await waiter.waitForMessages(['wakes'], 50);
    expect(Date.now() - timedOut).toBeGreaterThanOrEqual(45);

    const abort = new AbortController();
    const aborted = waiter.waitForMessages(['wakes'], 10_000, abort.signal);
    abort.abort();
    await aborted;

    const pending = waiter.waitForMessages(['wakes'], 10_000);
    await waiter.close();
    await pending;
    await expect(waiter.waitForMessages(['wakes'], 10_000)).resolves.toBeUndefined();
  });

  it('keeps group progress moving forward only', async () => {
    const bus = open();
    await bus.recordProgress('progress-topic', 'billing', 0, 10);
    await bus.recordProgress('progress-topic', 'billing', 0, 5);
    await bus.recordProgress('progress-topic', 'audit', 1, 3);
    await bus.recordProgress('other-topic', 'billing', 0, 1);
    const listed = await bus.listProgress('progress-topic');
    expect(listed.map(({ group, partition, position }) => ({ group, partition, position }))).toEqual([
      { group: 'audit', partition: 1, position: 3 },
      { group: 'billing', partition: 0, position: 10 },
    ]);
    expect(Date.parse(listed[0]?.updatedAt ?? '')).not.toBeNaN();
    expect((await bus.listProgress()).length).toBeGreaterThanOrEqual(3);
  });

  it('removes what the policy allows but holds what a group has not processed (the retention guard)', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'retained', partitions: 2 });
    const sent = Array.from({ length: 20 }, (_, n) => message('retained', n % 2, 'k', n));
    await bus.publish(sent);
    const p0 = (await bus.read('retained', 0, 0, 100)).map((r) => r.position);
    // Group `slow` has processed 4 messages of partition 0, group `fast` all of them; partition 1 has no group.
    await bus.recordProgress('retained', 'slow', 0, p0[3] ?? 0);
    await bus.recordProgress('retained', 'fast', 0, p0.at(-1) ?? 0);

    const outcomes = await bus.applyRetention('retained', { maxMessages: 2 }, Date.now());
    expect(outcomes).toEqual([
      { topic: 'retained', partition: 0, removed: 4, held: 4, laggingGroup: 'slow' },
      { topic: 'retained', partition: 1, removed: 8, held: 0, laggingGroup: null },
    ]);
    expect((await bus.read('retained', 0, 0, 100)).map((r) => r.position)).toEqual(p0.slice(4));
    expect(await bus.read('retained', 1, 0, 100)).toHaveLength(2);
    expect(await bus.listRetention('retained')).toEqual(outcomes);

    await bus.recordProgress('retained', 'slow', 0, p0[7] ?? 0);
    // Every message is older than the cutoff; the guard still keeps the last two for `slow`.
    const later = await bus.applyRetention('retained', { maxAgeMs: 1000 }, Date.now() + 60_000);
    expect(later[0]).toEqual({ topic: 'retained', partition: 0, removed: 4, held: 2, laggingGroup: 'slow' });
    expect((await bus.read('retained', 0, 0, 100)).map((r) => r.position)).toEqual(p0.slice(8));
    expect(later[1]).toMatchObject({ removed: 2, held: 0 });
    expect(await bus.applyRetention('retained', {}, Date.now())).toEqual([
      { topic: 'retained', partition: 0, removed: 0, held: 0, laggingGroup: null },
      { topic: 'retained', partition: 1, removed: 0, held: 0, laggingGroup: null },
    ]);
  });

  it('finds a count cut between the age cut and the guard', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'counted', partitions: 1 });
    await bus.publish(Array.from({ length: 25 }, (_, n) => message('counted', 0, 'k', n)));
    const positions = (await bus.read('counted', 0, 0, 100)).map((r) => r.position);
    await bus.recordProgress('counted', 'g', 0, positions[20] ?? 0);
    const [outcome] = await bus.applyRetention(
      'counted',
      { maxMessages: 7, maxAgeMs: 3_600_000 },
      Date.now(),
    );
    expect(outcome).toEqual({ topic: 'counted', partition: 0, removed: 18, held: 0, laggingGroup: null });
    expect((await bus.read('counted', 0, 0, 100)).map((r) => r.position)).toEqual(positions.slice(18));
  });

  it('leases partitions with compare-and-set: one of many racing writers wins', async () => {
    const leases = open().leases;
    if (leases === undefined) throw new Error('the NATS bus has leases');
    const first = await leases.writeLease('scope/a', 0, 'one', 1000, 0);
    expect(first).toBeGreaterThan(0);
    expect(await leases.writeLease('scope/a', 0, 'two', 1000, 0)).toBeUndefined();
    const racers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => open().leases!.writeLease('scope/a', 0, `r${i}`, 2000, first ?? 0)),
    );
    const winners = racers.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toBeGreaterThan(first ?? 0);
    await leases.writeLease('scope/a', 2, 'one', 3000, 0);
    const read = await leases.readLeases('scope/a');
    expect(read.map((l) => [l.partition, l.revision])).toEqual([
      [0, winners[0]],
      [2, expect.any(Number)],
    ]);
    expect(read[0]?.owner).toMatch(/^r\d$/);
    expect(await leases.readLeases('scope/b')).toEqual([]);
  });

  it('tracks members by heartbeat and forgets them on leave or expiry', async () => {
    const leases = open().leases;
    if (leases === undefined) throw new Error('the NATS bus has leases');
    expect(await leases.heartbeat('members', 'b', 2000, 1000)).toEqual(['b']);
    expect(await leases.heartbeat('members', 'a', 2000, 1000)).toEqual(['a', 'b']);
    expect(await leases.heartbeat('members', 'c.d', 5000, 2500)).toEqual(['c.d']);
    await leases.leave('members', 'c.d');
    expect(await leases.heartbeat('members', 'a', 9000, 2500)).toEqual(['a']);
  });
});
