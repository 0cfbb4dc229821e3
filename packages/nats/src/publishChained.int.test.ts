import { jetstreamManager, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { newMessageId, type OutgoingMessage } from '@parley/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus, type NatsBusOptions } from './createNatsBus.ts';
import { isWrongLastMessageId } from './isWrongLastSequence.ts';
import { encodeMessage, ParleyHeader } from './messageCodec.ts';
import { natsNames } from './natsNames.ts';
import { PipelinedPublisher } from './PipelinedPublisher.ts';
import { publishChained, type ChainedMessage, type JetStreamPublisher } from './publishChained.ts';
import { PublishWindow } from './PublishWindow.ts';
import { NATS_URL, natsAvailable, removePrefix, uniquePrefix } from './testkit/natsServer.ts';

const available = await natsAvailable();
const prefix = uniquePrefix('chain');
const names = natsNames(prefix);
const buses: NatsBus[] = [];
let nc: NatsConnection;
let jsm: JetStreamManager;

function open(options: NatsBusOptions = {}): NatsBus {
  const bus = createNatsBus({ servers: NATS_URL, prefix }, options);
  buses.push(bus);
  return bus;
}

let clock = Date.now();
function message(
  topic: string,
  partition: number,
  n: number,
  payload = JSON.stringify({ n }),
): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(++clock),
    type: 'Numbered',
    key: `k${partition}`,
    payload,
    headers: {},
    occurredAt: new Date(clock).toISOString(),
  };
}

function chained(messages: ReadonlyArray<OutgoingMessage>): ChainedMessage[] {
  return messages.map((m) => ({ subject: names.subject(m.topic, m.partition), message: m }));
}

/** Every message of the topic's stream, in stream order, with its partition. */
async function storedIn(
  topic: string,
  partitions: number,
): Promise<Array<{ id: string; partition: number }>> {
  const bus = open();
  const records = [];
  for (let partition = 0; partition < partitions; partition++) {
    records.push(...(await bus.read(topic, partition, 0, 100_000)));
  }
  const info = await jsm.streams.info(names.stream(topic));
  // What the reads returned is what the stream holds: nothing hidden from them.
  expect(records).toHaveLength(info.state.messages);
  return records.sort((a, b) => a.position - b.position).map(({ id, partition }) => ({ id, partition }));
}

/** Each partition's ids, in stream order. */
function byPartition(
  records: ReadonlyArray<{ id: string; partition: number }>,
  partitions: number,
): string[][] {
  return Array.from({ length: partitions }, (_, p) =>
    records.filter((r) => r.partition === p).map((r) => r.id),
  );
}

function expectedByPartition(messages: ReadonlyArray<OutgoingMessage>, partitions: number): string[][] {
  return Array.from({ length: partitions }, (_, p) =>
    messages.filter((m) => m.partition === p).map((m) => m.id),
  );
}

describe.runIf(available)('publishChained (real NATS)', () => {
  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL.replace('nats://', '') });
    jsm = await jetstreamManager(nc);
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  afterAll(async () => {
    await nc?.close();
    await removePrefix(prefix);
  });

  it('after a message lost in the middle of a pipeline, the server refuses every one behind it; publishing again stores each once, in order', async () => {
    await open().ensureTopic({ name: 'lost', partitions: 3 });
    const sent = Array.from({ length: 60 }, (_, n) => message('lost', n % 3, n));
    const publisher = new PipelinedPublisher(nc, 5000);
    const refused: number[] = [];
    let call = 0;
    const losing: JetStreamPublisher = {
      publish(subject, data, headers): Promise<PubAck> {
        const index = call++;
        // Never reaches the server, as when a connection drops it.
        if (index === 25) return Promise.reject(new Error('lost on the way'));
        return publisher.publish(subject, data, headers).catch((error: unknown) => {
          if (isWrongLastMessageId(error)) refused.push(index);
          throw error;
        });
      },
    };
    const window = new PublishWindow(1000, 1 << 22);
    await expect(publishChained(losing, window, names.stream('lost'), chained(sent))).rejects.toThrow(
      'lost on the way',
    );
    // All 34 behind it were in flight, and the server refused each for its expectation.
    expect(refused.sort((a, b) => a - b)).toEqual(Array.from({ length: 34 }, (_, i) => 26 + i));
    const before = await storedIn('lost', 3);
    expect(before.map((r) => r.id)).toEqual(sent.slice(0, 25).map((m) => m.id));

    await publishChained(publisher, window, names.stream('lost'), chained(sent));
    const after = await storedIn('lost', 3);
    expect(after.map((r) => r.id)).toEqual(sent.map((m) => m.id));
    expect(byPartition(after, 3)).toEqual(expectedByPartition(sent, 3));
    publisher.close();
  });

  it('a message the stream refuses (over its max message size) stops its partition and every other one behind it', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'limited', partitions: 2 });
    const stream = names.stream('limited');
    await jsm.streams.update(stream, { max_msg_size: 2000 });
    const sent = Array.from({ length: 40 }, (_, n) =>
      message('limited', n % 2, n, n === 17 ? 'x'.repeat(5000) : undefined),
    );
    await expect(bus.publish(sent)).rejects.toThrow(/message size exceeds maximum allowed/);
    expect((await storedIn('limited', 2)).map((r) => r.id)).toEqual(sent.slice(0, 17).map((m) => m.id));
    // Still refused, still nothing behind it: a relay retrying the batch changes nothing.
    await expect(bus.publish(sent)).rejects.toThrow(/message size exceeds maximum allowed/);
    expect((await storedIn('limited', 2)).map((r) => r.id)).toEqual(sent.slice(0, 17).map((m) => m.id));

    await jsm.streams.update(stream, { max_msg_size: -1 });
    await bus.publish(sent);
    const after = await storedIn('limited', 2);
    expect(after.map((r) => r.id)).toEqual(sent.map((m) => m.id));
    expect(byPartition(after, 2)).toEqual(expectedByPartition(sent, 2));
  });

  it('a message over the server’s max_payload fails before it is sent, and nothing behind it is stored', async () => {
    const bus = open();
    await bus.ensureTopic({ name: 'oversized', partitions: 2 });
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    const sent = Array.from({ length: 20 }, (_, n) =>
      message('oversized', n % 2, n, n === 9 ? 'x'.repeat(maxPayload + 1) : undefined),
    );
    await expect(bus.publish(sent)).rejects.toThrow(/max_payload/);
    expect((await storedIn('oversized', 2)).map((r) => r.id)).toEqual(sent.slice(0, 9).map((m) => m.id));
    const fixed = sent.map((m, n) => (n === 9 ? { ...m, payload: '{"n":9}' } : m));
    await bus.publish(fixed);
    expect((await storedIn('oversized', 2)).map((r) => r.id)).toEqual(sent.map((m) => m.id));
  });

  it('two relays publishing the same messages at once, and another service publishing to the same partitions, store each message once and keep every publisher’s order', async () => {
    // Few publishes in flight, so that the other service's messages land inside the relays' pipelines.
    const first = open({ publishesInFlight: 4 });
    const second = open({ publishesInFlight: 4 });
    const other = open();
    await first.ensureTopic({ name: 'shared', partitions: 2 });
    const ours = Array.from({ length: 400 }, (_, n) => message('shared', n % 2, n));
    const theirs = Array.from({ length: 120 }, (_, n) => message('shared', n % 2, 1000 + n));
    const batches = Array.from({ length: 60 }, (_, b) => theirs.slice(b * 2, b * 2 + 2));
    await Promise.all([
      first.publish(ours.slice(0, 200)).then(() => first.publish(ours.slice(200))),
      second.publish(ours),
      (async () => {
        for (const batch of batches) await other.publish(batch);
      })(),
    ]);
    const stored = await storedIn('shared', 2);
    const ids = stored.map((r) => r.id);
    expect(ids).toHaveLength(ours.length + theirs.length);
    expect(new Set(ids).size).toBe(ids.length);
    const ourIds = new Set<string>(ours.map((m) => m.id));
    const firstOurs = ids.findIndex((id) => ourIds.has(id));
    const lastOurs = ids.findLastIndex((id) => ourIds.has(id));
    expect(ids.slice(firstOurs, lastOurs).some((id) => !ourIds.has(id))).toBe(true);
    for (const [p, list] of byPartition(stored, 2).entries()) {
      expect(list.filter((id) => ourIds.has(id))).toEqual(
        ours.filter((m) => m.partition === p).map((m) => m.id),
      );
      expect(list.filter((id) => !ourIds.has(id))).toEqual(
        theirs.filter((m) => m.partition === p).map((m) => m.id),
      );
    }
  });

  it('keeps the publishes in flight within the window, by count and by bytes', async () => {
    await open().ensureTopic({ name: 'windowed', partitions: 4 });
    const publisher = new PipelinedPublisher(nc, 5000);
    const sent = Array.from({ length: 200 }, (_, n) => message('windowed', n % 4, n, 'y'.repeat(300)));
    const bytesOf = new Map<string, number>(sent.map((m) => [m.id, encodeMessage(m).bytes]));
    let count = 0;
    let bytes = 0;
    let most = { count: 0, bytes: 0 };
    const counting: JetStreamPublisher = {
      async publish(subject, data, headers) {
        const size = bytesOf.get(headers.get(ParleyHeader.Id)) ?? 0;
        count++;
        bytes += size;
        most = { count: Math.max(most.count, count), bytes: Math.max(most.bytes, bytes) };
        try {
          return await publisher.publish(subject, data, headers);
        } finally {
          count--;
          bytes -= size;
        }
      },
    };
    await publishChained(counting, new PublishWindow(8, 1 << 20), names.stream('windowed'), chained(sent));
    expect(most.count).toBe(8);
    const perMessage = bytesOf.get(sent[0]!.id) ?? 0;
    most = { count: 0, bytes: 0 };
    const again = sent.map((m) => ({ ...m, id: newMessageId(++clock) }));
    for (const m of again) bytesOf.set(m.id, perMessage);
    await publishChained(
      counting,
      new PublishWindow(100, perMessage * 3),
      names.stream('windowed'),
      chained(again),
    );
    expect(most.count).toBe(3);
    expect(most.bytes).toBeLessThanOrEqual(perMessage * 3);
    const stored = await storedIn('windowed', 4);
    expect(byPartition(stored, 4)).toEqual(expectedByPartition([...sent, ...again], 4));
    publisher.close();
  });
});
