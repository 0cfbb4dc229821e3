import { checkMaxBytes, defaultLogger, type Bus, type Logger } from '@parley/core';
import { createKvLeaseStore } from './createKvLeaseStore.ts';
import { GroupProgressStore } from './GroupProgressStore.ts';
import { decodeMessage } from './messageCodec.ts';
import { MessageWaits } from './MessageWaits.ts';
import { NatsLink } from './NatsLink.ts';
import { natsNames } from './natsNames.ts';
import { parseNatsUrl, type NatsTarget } from './parseNatsUrl.ts';
import { PartitionReaders } from './PartitionReaders.ts';
import { publishMessages } from './publishMessages.ts';
import { PublishWindow } from './PublishWindow.ts';
import { retainPartition } from './retainPartition.ts';
import { TopicStreams } from './TopicStreams.ts';

/** A {@link Bus} on NATS JetStream. */
export interface NatsBus extends Bus {
  /** Namespaces every stream, subject and KV bucket of this bus. */
  readonly prefix: string;
  /** Connects now (otherwise the first operation does); rejects when the server cannot be reached. */
  connect(): Promise<void>;
}

export interface NatsBusOptions {
  /** @default pino at level `warn`, on stderr (`defaultLogger()` of @parley/core) */
  readonly logger?: Logger;
  /**
   * How long the stream remembers message ids to drop a republished message. A relay that crashes after
   * publishing and comes back later than this publishes a duplicate that consumers must absorb (the store's
   * inbox does, for exactly-once consumers). Memory on the server grows with ids published per window.
   * @default 600_000 (10 minutes; NATS's own default is 2 minutes)
   */
  readonly duplicateWindowMs?: number;
  /**
   * How long a request (publish ack, read, admin call) may take; during a server outage operations fail after it.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How many publishes of this bus may await their acks at once. A topic's messages go out as one pipeline, so
   * this is how far ahead of the server's acks a publish runs.
   * @default 1024
   */
  readonly publishesInFlight?: number;
  /**
   * How many bytes of publishes (payloads and headers) may await their acks at once; a larger message still goes,
   * alone.
   * @default 4_194_304 (4 MiB)
   */
  readonly publishBytesInFlight?: number;
  /** Stream replicas (on a cluster). @default 1 */
  readonly replicas?: number;
  /** Connection name shown by the server. @default 'parley' */
  readonly name?: string;
}

/**
 * Opens a bus on NATS JetStream. Each topic is a stream (`<prefix>_<topic>`, file storage) with one subject per
 * partition (`<prefix>.<topic>.<partition>`); a message's position is its stream sequence, increasing but not
 * contiguous within a partition. The connection opens on first use and survives server restarts: it reconnects
 * forever; operations during an outage fail and work again afterwards.
 *
 * - `publish` de-duplicates by message id (`Nats-Msg-Id`) and keeps order per partition with many acks in flight:
 *   each message expects the one before it to be the stream's last (`Nats-Expected-Last-Msg-Id`), so a failed
 *   publish can never let a later one through ahead of it. It is not all-or-nothing: after a failure part of
 *   the batch may be stored, and publishing it again is safe.
 * - `waitForMessages` is woken by the server (a core subscription on the topic's subjects), without polling.
 * - Streams have no server-side limits, so the server never drops a message on its own: only `applyRetention`
 *   removes messages, and never past the lowest group progress registered with `recordProgress` (kept in the KV
 *   bucket `<prefix>_state`).
 * - `leases` is a compare-and-set lease store on the KV bucket `<prefix>_leases`.
 *
 * @example
 * const bus = createNatsBus('nats://127.0.0.1:4222');
 * const store = createSqliteStore('sqlite:./data/show.db'); // its outbox relay publishes to NATS
 * const service = createService({ name: 'show', store, bus });
 */
export function createNatsBus(target: NatsTarget, options: NatsBusOptions = {}): NatsBus {
  const location = parseNatsUrl(target);
  const names = natsNames(location.prefix);
  const logger = (options.logger ?? defaultLogger()).child({
    component: 'nats-bus',
    server: location.description,
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const link = new NatsLink(location, { requestTimeoutMs, logger, name: options.name ?? 'parley' });
  const topics = new TopicStreams(
    link,
    names,
    { duplicateWindowMs: options.duplicateWindowMs ?? 600_000, replicas: options.replicas ?? 1 },
    location.description,
  );
  const window = new PublishWindow(
    options.publishesInFlight ?? 1024,
    options.publishBytesInFlight ?? 4 * 1024 * 1024,
  );
  const readers = new PartitionReaders(link, { prefix: names.prefix, requestTimeoutMs });
  const waits = new MessageWaits(link, names);
  const progress = new GroupProgressStore(link, names);
  let closed = false;

  function checkOpen(): void {
    if (closed) throw new Error(`bus ${location.description} is closed`);
  }

  /** The partition's subject, or undefined when the topic does not exist (reads of it are empty). */
  async function partitionSubject(topic: string, partition: number): Promise<string | undefined> {
    checkOpen();
    const partitions = await topics.partitionsOf(topic);
    if (partitions === undefined) return undefined;
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new RangeError(`partition ${partition} is outside topic "${topic}" (0 to ${partitions - 1})`);
    }
    return names.subject(topic, partition);
  }

  return {
    description: location.description,
    prefix: names.prefix,

    async connect() {
      checkOpen();
      await link.handles();
    },

    async ensureTopic(topic) {
      checkOpen();
      await topics.ensure(topic);
    },

    async publish(messages) {
      checkOpen();
      await publishMessages(link, names, topics, window, messages);
    },

    async read(topic, partition, after, limit, maxBytes = Number.POSITIVE_INFINITY) {
      if (!Number.isSafeInteger(limit) || limit < 0)
        throw new RangeError(`read: limit must be a non-negative integer, got ${limit}`);
      checkMaxBytes(maxBytes, 'read');
      const subject = await partitionSubject(topic, partition);
      if (subject === undefined) return [];
      const pulled = await readers.read(names.stream(topic), subject, Math.max(0, after), limit, maxBytes);
      return pulled.map(({ seq, msg }) => decodeMessage(topic, partition, seq, msg));
    },

    async endPosition(topic, partition) {
      const subject = await partitionSubject(topic, partition);
      if (subject === undefined) return 0;
      const { jsm } = await link.handles();
      const last = await jsm.streams.getMessage(names.stream(topic), { last_by_subj: subject });
      return last?.seq ?? 0;
    },

    async countAfter(topic, partition, after) {
      const subject = await partitionSubject(topic, partition);
      if (subject === undefined) return 0;
      return readers.countAfter(names.stream(topic), subject, Math.max(0, after));
    },

    listTopics() {
      checkOpen();
      return topics.list();
    },

    waitForMessages(topicNames, timeoutMs, signal) {
      if (closed) return Promise.resolve();
      return waits.wait(topicNames, timeoutMs, signal);
    },

    async recordProgress(topic, group, partition, position) {
      checkOpen();
      await progress.record(topic, group, partition, position);
    },

    listProgress(topic) {
      checkOpen();
      return progress.list(topic);
    },

    async applyRetention(topic, policy, now) {
      checkOpen();
      const partitions = await topics.require(topic);
      const [{ jsm }, groups] = await Promise.all([link.handles(), progress.list(topic)]);
      const outcomes = [];
      for (let partition = 0; partition < partitions; partition++) {
        const outcome = await retainPartition({
          jsm,
          stream: names.stream(topic),
          subject: names.subject(topic, partition),
          topic,
          partition,
          policy,
          now,
          groups: groups.filter((g) => g.partition === partition),
          prefix: names.prefix,
        });
        await progress.saveOutcome(outcome);
        if (outcome.held > 0) {
          logger.warn(
            { topic, partition, held: outcome.held, laggingGroup: outcome.laggingGroup },
            'retention held messages a consumer group has not processed',
          );
        }
        outcomes.push(outcome);
      }
      if (outcomes.some((o) => o.removed > 0)) readers.forget(names.stream(topic));
      return outcomes;
    },

    listRetention(topic) {
      checkOpen();
      return progress.outcomes(topic);
    },

    leases: createKvLeaseStore(() => link.bucket(names.leaseBucket)),

    async close() {
      if (closed) return;
      closed = true;
      waits.close();
      await readers.close();
      await link.close();
    },
  };
}
