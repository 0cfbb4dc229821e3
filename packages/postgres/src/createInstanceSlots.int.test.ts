import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { useTestKit } from './conformance/testKit.ts';

describePostgres('instance slots', () => {
  const kit = useTestKit();

  it('gives each live claimer its own lowest free name, per service and schema, and takes a released one back', async () => {
    const schema = kit.newSchema();
    const first = kit.openStore(schema).instanceSlots!;
    const second = kit.openStore(schema).instanceSlots!;
    const elsewhere = kit.openStore(kit.newSchema()).instanceSlots!;
    const a = await first.claim('wallet');
    const b = await second.claim('wallet');
    expect([a.id, b.id]).toEqual(['wallet-0', 'wallet-1']);
    expect((await first.claim('show')).id).toBe('show-0');
    expect((await elsewhere.claim('wallet')).id).toBe('wallet-0');
    await a.release();
    expect((await second.claim('wallet')).id).toBe('wallet-0');
  });

  it('frees every name a store holds when the store closes', async () => {
    const schema = kit.newSchema();
    const store = kit.openStore(schema);
    expect((await store.instanceSlots!.claim('wallet')).id).toBe('wallet-0');
    await store.close();
    expect((await kit.openStore(schema).instanceSlots!.claim('wallet')).id).toBe('wallet-0');
  });
});
