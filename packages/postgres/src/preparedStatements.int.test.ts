import { defineTopic, parseMessageId, silentLogger, type OutgoingMessage } from '@parley/core';
import pg from 'pg';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { describePostgres, testUrl, useSchemas } from './conformance/postgresTestDatabase.ts';
import { createPostgresBus } from './createPostgresBus.ts';

const topic = defineTopic({
  name: 'prepared',
  partitions: 2,
  messages: { Noted: z.object({ n: z.number() }) },
});

const message = (n: number): OutgoingMessage => ({
  topic: topic.name,
  partition: n % 2,
  id: parseMessageId(`01JPREPARED${String(n).padStart(15, '0')}`),
  type: 'Noted',
  key: `k${n}`,
  payload: JSON.stringify({ n }),
  headers: {},
  occurredAt: new Date().toISOString(),
});

describePostgres('prepared statements', () => {
  const schemas = useSchemas();

  /** A bus on a pool of one connection, so the statements it prepares are the ones that session holds. */
  async function withBus(
    prepareStatements: boolean | undefined,
    use: (bus: ReturnType<typeof createPostgresBus>, prepared: () => Promise<number>) => Promise<void>,
  ) {
    const pool = new pg.Pool({ connectionString: testUrl, max: 1 });
    const bus = createPostgresBus(
      { pool, schema: schemas.next() },
      { logger: silentLogger, ...(prepareStatements === undefined ? {} : { prepareStatements }) },
    );
    const prepared = async () =>
      (
        await pool.query<{ count: number }>(
          "SELECT count(*)::int AS count FROM pg_prepared_statements WHERE name LIKE 'parley\\_%'",
        )
      ).rows[0]!.count;
    try {
      await bus.ensureTopic(topic);
      await use(bus, prepared);
    } finally {
      await bus.close();
      await pool.end();
    }
  }

  const round = async (bus: ReturnType<typeof createPostgresBus>, from: number) => {
    await bus.publish([message(from), message(from + 1)]);
    const read = [...(await bus.read(topic.name, 0, 0, 100)), ...(await bus.read(topic.name, 1, 0, 100))];
    return read.length;
  };

  it('sends statements with parameters as named prepared statements, each prepared once per connection', async () => {
    await withBus(undefined, async (bus, prepared) => {
      expect(await round(bus, 0)).toBe(2);
      const once = await prepared();
      expect(once).toBeGreaterThan(0);
      // The same statements again: bound and run, not prepared again.
      expect(await round(bus, 2)).toBe(4);
      expect(await round(bus, 4)).toBe(6);
      expect(await prepared()).toBe(once);
    });
  });

  it('prepares nothing with prepareStatements: false, and works the same', async () => {
    await withBus(false, async (bus, prepared) => {
      expect(await round(bus, 0)).toBe(2);
      expect(await round(bus, 2)).toBe(4);
      expect(await prepared()).toBe(0);
    });
  });
});
