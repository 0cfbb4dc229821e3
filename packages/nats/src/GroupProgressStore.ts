import type { KV } from '@nats-io/kv';
import type { GroupProgress, RetentionOutcome } from '@parley/core';
import { isWrongLastSequence } from './isWrongLastSequence.ts';
import type { NatsLink } from './NatsLink.ts';
import { encodeToken, type NatsNames } from './natsNames.ts';

/**
 * Consumer group progress and the last retention outcome per partition, in a KV bucket
 * (`<prefix>_state`): keys `progress.<topic>.<group>.<partition>` and `retention.<topic>.<partition>`.
 */
export class GroupProgressStore {
  constructor(
    private readonly link: NatsLink,
    private readonly names: NatsNames,
  ) {}

  /** Moves a group's position forward with compare-and-set; a lower report changes nothing. */
  async record(topic: string, group: string, partition: number, position: number): Promise<void> {
    if (!Number.isSafeInteger(partition) || partition < 0)
      throw new RangeError(`recordProgress: partition must be a non-negative integer, got ${partition}`);
    if (!Number.isSafeInteger(position) || position < 0)
      throw new RangeError(`recordProgress: position must be a non-negative integer, got ${position}`);
    const kv = await this.kv();
    const key = `progress.${encodeToken(topic)}.${encodeToken(group)}.${partition}`;
    const value = (): string =>
      JSON.stringify({ topic, group, partition, position, updatedAt: new Date().toISOString() });
    for (;;) {
      const entry = await kv.get(key);
      try {
        if (entry === null || entry.operation !== 'PUT') {
          await kv.create(key, value());
          return;
        }
        if (entry.json<GroupProgress>().position > position) return;
        await kv.update(key, value(), entry.revision);
        return;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
  }

  async list(topic?: string): Promise<GroupProgress[]> {
    const entries = await this.values<GroupProgress>(
      topic === undefined ? 'progress.>' : `progress.${encodeToken(topic)}.>`,
    );
    return entries.sort(
      (a, b) => compare(a.topic, b.topic) || compare(a.group, b.group) || a.partition - b.partition,
    );
  }

  async saveOutcome(outcome: RetentionOutcome): Promise<void> {
    const kv = await this.kv();
    const { topic, partition, removed, held, laggingGroup } = outcome;
    await kv.put(
      `retention.${encodeToken(topic)}.${partition}`,
      JSON.stringify({ topic, partition, removed, held, laggingGroup }),
    );
  }

  async outcomes(topic?: string): Promise<RetentionOutcome[]> {
    const entries = await this.values<RetentionOutcome>(
      topic === undefined ? 'retention.>' : `retention.${encodeToken(topic)}.*`,
    );
    return entries.sort((a, b) => compare(a.topic, b.topic) || a.partition - b.partition);
  }

  private kv(): Promise<KV> {
    return this.link.bucket(this.names.stateBucket);
  }

  private async values<T>(filter: string): Promise<T[]> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys(filter)) keys.push(key);
    const entries = await Promise.all(keys.map((key) => kv.get(key)));
    return entries.flatMap((entry) => (entry?.operation === 'PUT' ? [entry.json<T>()] : []));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
