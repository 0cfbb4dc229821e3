import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { TopicSpec } from '@parley/core';
import type { NatsLink } from './NatsLink.ts';
import type { NatsNames } from './natsNames.ts';

const STREAM_NAME_IN_USE = 10058;
const DESCRIPTION = /^Parley topic "(.+)" \((\d+) partitions?\)$/;

export interface TopicStreamsOptions {
  readonly duplicateWindowMs: number;
  readonly replicas: number;
}

/**
 * The JetStream stream behind each topic. A stream keeps every message until retention purges it: no server-side
 * limit (age, count, bytes) is set, so the server never drops a message a consumer group has not processed.
 */
export class TopicStreams {
  // A topic's partition count never changes once created, so a hit can be kept.
  private readonly partitionCounts = new Map<string, number>();

  constructor(
    private readonly link: NatsLink,
    private readonly names: NatsNames,
    private readonly options: TopicStreamsOptions,
    private readonly description: string,
  ) {}

  async ensure({ name, partitions }: TopicSpec): Promise<void> {
    if (typeof name !== 'string' || name === '') throw new TypeError('topic name must be a non-empty string');
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic "${name}": partitions must be a positive integer, got ${partitions}`);
    }
    let existing = await this.lookup(name);
    if (existing === undefined) {
      const { jsm, nc } = await this.link.handles();
      const config: Partial<StreamConfig> & { name: string } = {
        name: this.names.stream(name),
        subjects: [this.names.topicSubjects(name)],
        description: `Parley topic "${name}" (${partitions} partition${partitions === 1 ? '' : 's'})`,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs: -1,
        max_bytes: -1,
        max_age: 0,
        max_msgs_per_subject: -1,
        num_replicas: this.options.replicas,
        duplicate_window: nanos(this.options.duplicateWindowMs),
      };
      // Stream metadata needs NATS 2.10; the description carries the same facts for older servers.
      if (atLeast(nc.info?.version, [2, 10])) {
        config.metadata = { 'parley.topic': name, 'parley.partitions': String(partitions) };
      }
      try {
        await jsm.streams.add(config);
        existing = partitions;
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
        existing = await this.lookup(name);
        if (existing === undefined) throw error;
      }
      this.partitionCounts.set(name, existing);
    }
    if (existing !== partitions) {
      throw new Error(
        `topic "${name}" exists on ${this.description} with ${existing} partitions, not ${partitions}: ` +
          'changing the partition count would break per-key order',
      );
    }
  }

  /** The partition count, or undefined when the topic does not exist. */
  async partitionsOf(topic: string): Promise<number | undefined> {
    return this.partitionCounts.get(topic) ?? (await this.lookup(topic));
  }

  /** The partition count; throws a clear error when the topic does not exist. */
  async require(topic: string): Promise<number> {
    const partitions = await this.partitionsOf(topic);
    if (partitions === undefined) {
      throw new Error(
        `topic "${topic}" does not exist on ${this.description}: ensure the topic before publishing to it`,
      );
    }
    return partitions;
  }

  async list(): Promise<TopicSpec[]> {
    const { jsm } = await this.link.handles();
    const topics: TopicSpec[] = [];
    for await (const info of jsm.streams.list(this.names.allSubjects)) {
      const spec = topicOf(info);
      if (spec !== undefined && info.config.name === this.names.stream(spec.name)) topics.push(spec);
    }
    return topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async lookup(topic: string): Promise<number | undefined> {
    const { jsm } = await this.link.handles();
    try {
      const info = await jsm.streams.info(this.names.stream(topic));
      const spec = topicOf(info);
      if (spec === undefined || spec.name !== topic) {
        throw new Error(
          `stream ${info.config.name} on ${this.description} is not a Parley topic: it has no partition count`,
        );
      }
      this.partitionCounts.set(topic, spec.partitions);
      return spec.partitions;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
        return undefined;
      throw error;
    }
  }
}

/** The topic a stream carries, read from its metadata (NATS ≥ 2.10) or description. */
function topicOf(info: StreamInfo): TopicSpec | undefined {
  const metadata = info.config.metadata;
  const name = metadata?.['parley.topic'];
  const partitions = Number(metadata?.['parley.partitions']);
  if (name !== undefined && Number.isSafeInteger(partitions)) return { name, partitions };
  const match = DESCRIPTION.exec(info.config.description ?? '');
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { name: match[1], partitions: Number(match[2]) };
}

function atLeast(version: string | undefined, [major, minor]: [number, number]): boolean {
  const [a = 0, b = 0] = (version ?? '0.0').split('.').map((part) => Number.parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}
