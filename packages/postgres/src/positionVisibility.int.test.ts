import { newMessageId } from '@parley/core';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { appendEvents } from './appendEvents.ts';
import { appendMessages } from './appendMessages.ts';
import { lockPositions } from './lockPositions.ts';
import type { Queryable } from './Queryable.ts';
import { TopicCatalog } from './TopicCatalog.ts';
import { describePostgres, testUrl } from './conformance/postgresTestDatabase.ts';
import { event, outgoing, useTestKit } from './conformance/testKit.ts';

const WRITERS = 8;
const WRITES_EACH = 40;

/**
 * Many writers append to one partition (and one entity type) while a reader follows "position > checkpoint".
 * Each writer holds its transaction open for a random moment after inserting, so commits land out of position
 * order unless the position locks order them. The reader must see every row, each once, positions increasing.
 */
describePostgres('position visibility', () => {
  const kit = useTestKit();
  const pool = new pg.Pool({ connectionString: testUrl, max: WRITERS + 2 });
  afterAll(() => pool.end());

  async function slowTransaction(work: (client: Queryable) => Promise<unknown>): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  /** Follows a log from 0 until `done` and a last read finds nothing; returns what it saw, in order. */
  async function follow(
    read: (after: number) => Promise<Array<{ id: string; position: number }>>,
    done: () => boolean,
  ): Promise<string[]> {
    const seen: string[] = [];
    let checkpoint = 0;
    for (;;) {
      const finished = done();
      const batch = await read(checkpoint);
      for (const record of batch) {
        expect(record.position).toBeGreaterThan(checkpoint);
        checkpoint = record.position;
        seen.push(record.id);
      }
      if (finished && batch.length === 0) return seen;
    }
  }

  it('never lets a reader of a partition skip a message committed late', { timeout: 30_000 }, async () => {
    const schema = kit.newSchema();
    const bus = kit.openBus(schema);
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    const catalog = new TopicCatalog(pg.escapeIdentifier(schema), schema);
    const published: string[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = 0; i < WRITES_EACH; i++) {
          const message = outgoing('orders', 0, { id: newMessageId() });
          await slowTransaction((client) =>
            appendMessages(client, { name: schema, s: pg.escapeIdentifier(schema) }, catalog, [message]),
          );
          published.push(message.id);
        }
      }),
    ).finally(() => (writing = false));
    const seen = await follow(
      (after) => bus.read('orders', 0, after, 50),
      () => !writing,
    );
    await writers;
    expect(seen).toHaveLength(WRITERS * WRITES_EACH);
    expect(new Set(seen)).toEqual(new Set(published));
  });

  it('never lets a reader of an entity type skip an event committed late', { timeout: 30_000 }, async () => {
    const schema = kit.newSchema();
    const s = pg.escapeIdentifier(schema);
    const store = kit.openStore(schema);
    await store.lastEventPosition('show'); // migrates the schema
    const appended: string[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let version = 0; version < WRITES_EACH; version++) {
          const opened = event('Opened');
          await slowTransaction(async (client) => {
            await lockPositions(client, schema, { entities: ['show'], partitions: [] });
            await appendEvents(client, s, [
              { entity: 'show', entityId: `s${writer}`, expectedVersion: version, events: [opened] },
            ]);
          });
          appended.push(opened.id);
        }
      }),
    ).finally(() => (writing = false));
    const seen = await follow(
      (after) => store.readEvents('show', after, 50),
      () => !writing,
    );
    await writers;
    expect(seen).toHaveLength(WRITERS * WRITES_EACH);
    expect(new Set(seen)).toEqual(new Set(appended));
  });
});
