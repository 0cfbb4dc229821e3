import type { TopicSpec } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * The partition counts of a schema's topics, read from `topics` and remembered: a count never changes once the
 * topic exists, so a hit can be kept; a miss is asked again next time.
 */
export class TopicCatalog {
  private readonly partitions = new Map<string, number>();

  constructor(
    private readonly s: string,
    private readonly description: string,
  ) {}

  /** Creates the topic, or checks that it exists with `partitions`. */
  async ensure(db: Queryable, { name, partitions }: TopicSpec): Promise<void> {
    if (typeof name !== 'string' || name === '') throw new TypeError('topic name must be a non-empty string');
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic "${name}": partitions must be a positive integer, got ${partitions}`);
    }
    const { rows } = await db.query<{ partitions: number }>(
      `WITH inserted AS (
         INSERT INTO ${this.s}.topics (name, partitions) VALUES ($1, $2)
         ON CONFLICT (name) DO NOTHING RETURNING partitions
       )
       SELECT partitions FROM inserted UNION ALL SELECT partitions FROM ${this.s}.topics WHERE name = $1`,
      [name, partitions],
    );
    const existing = rows[0]?.partitions ?? partitions;
    this.partitions.set(name, existing);
    if (existing !== partitions) {
      throw new Error(
        `topic "${name}" exists in ${this.description} with ${existing} partitions, not ${partitions}: ` +
          'changing the partition count would break per-key order',
      );
    }
  }

  /** The partition count of each of `topics`; throws, naming it, for a topic that does not exist. */
  async partitionsOf(db: Queryable, topics: Iterable<string>): Promise<Map<string, number>> {
    const missing = [...new Set(topics)].filter((topic) => !this.partitions.has(topic));
    if (missing.length > 0) {
      const { rows } = await db.query<{ name: string; partitions: number }>(
        `SELECT name, partitions FROM ${this.s}.topics WHERE name = ANY($1::text[])`,
        [missing],
      );
      for (const row of rows) this.partitions.set(row.name, row.partitions);
      const unknown = missing.find((topic) => !this.partitions.has(topic));
      if (unknown !== undefined) {
        throw new Error(
          `topic "${unknown}" does not exist in ${this.description}: ensure the topic before publishing to it`,
        );
      }
    }
    return this.partitions;
  }
}
