import pg from 'pg';
import { expect, it } from 'vitest';
import { describePostgres, testUrl } from './conformance/postgresTestDatabase.ts';
import { outgoing, useTestKit } from './conformance/testKit.ts';

describePostgres('changeNotifier', () => {
  const kit = useTestKit();

  async function terminateListeners(schema: string): Promise<number> {
    const client = new pg.Client({ connectionString: testUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE query = $1`,
        [`LISTEN ${pg.escapeIdentifier(`parley:${schema}`)}`],
      );
      for (const { pid } of rows) await client.query('SELECT pg_terminate_backend($1)', [pid]);
      return rows.length;
    } finally {
      await client.end();
    }
  }

  it('listens again after its connection is killed, and wakes waiters from other processes', async () => {
    const schema = kit.newSchema();
    const [bus, other] = [kit.openBus(schema), kit.openBus(schema)];
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.waitForMessages(['orders'], 300);
    expect(await terminateListeners(schema)).toBe(1);
    // The reconnection wakes waiters (notifications may have been missed meanwhile) …
    const started = Date.now();
    await bus.waitForMessages(['orders'], 10_000);
    expect(Date.now() - started).toBeLessThan(5000);
    // … and notifications flow again.
    const woken = bus.waitForMessages(['orders'], 10_000);
    const publishedAt = Date.now();
    await other.publish([outgoing('orders')]);
    await woken;
    expect(Date.now() - publishedAt).toBeLessThan(2000);
  });
});
