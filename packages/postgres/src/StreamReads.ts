import type { EventRow } from '@parley/sql';
import type { Queryable } from './Queryable.ts';

interface PendingRead {
  readonly entity: string;
  readonly entityId: string;
  readonly afterVersion: number;
  readonly resolve: (rows: EventRow[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Streams per statement: enough to gather a consumer's whole round of loads, small enough to plan quickly. */
const MAX_STREAMS = 256;

/**
 * Stream reads gathered into one statement per turn of the event loop. A consumer handling many keys at once
 * loads many entities at once (every key's first message, and every key after a cache eviction); one round
 * trip for all of them instead of one each. Each read still gets exactly its stream's events after its version,
 * in version order; a failed statement fails the reads it carried.
 */
export class StreamReads {
  private pending: PendingRead[] = [];
  private scheduled = false;

  constructor(
    private readonly run: <T>(work: (db: Queryable) => Promise<T>) => Promise<T>,
    private readonly s: string,
  ) {}

  read(entity: string, entityId: string, afterVersion: number): Promise<EventRow[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entity, entityId, afterVersion, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (let i = 0; i < pending.length; i += MAX_STREAMS) void this.send(pending.slice(i, i + MAX_STREAMS));
  }

  private async send(reads: ReadonlyArray<PendingRead>): Promise<void> {
    try {
      const { rows } = await this.run((db) =>
        db.query<EventRow & { i: string }>(
          `SELECT t.i, e.position, e.entity, e.entity_id, e.version, e.id, e.type, e.data, e.metadata,
                  e.occurred_at
           FROM unnest($1::text[], $2::text[], $3::int8[]) WITH ORDINALITY AS t(entity, entity_id, after, i)
           JOIN ${this.s}.events e ON e.entity = t.entity AND e.entity_id = t.entity_id AND e.version > t.after
           ORDER BY t.i, e.version`,
          [
            reads.map((read) => read.entity),
            reads.map((read) => read.entityId),
            reads.map((read) => read.afterVersion),
          ],
        ),
      );
      const byRead: EventRow[][] = reads.map(() => []);
      for (const { i, ...row } of rows) byRead[Number(i) - 1]!.push(row);
      reads.forEach((read, index) => read.resolve(byRead[index]!));
    } catch (error) {
      for (const read of reads) read.reject(error);
    }
  }
}
