import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterFilter } from '../ports/DeadLetter.ts';
import type { Store } from '../ports/Store.ts';
import { createAdmin } from './createAdmin.ts';

/** The reads `consumers.list` makes, over dead letters kept in memory; `listDeadLetters` pages as stores do. */
function storeWith(deadLetters: ReadonlyArray<Pick<DeadLetter, 'id' | 'consumer' | 'status'>>): Store {
  const sorted = [...deadLetters].sort((a, b) => (a.id < b.id ? -1 : 1));
  const reads: Partial<Store> = {
    listCursors: () => Promise.resolve([{ consumer: 'mailer', source: 'orders', partition: 0, position: 0 }]),
    listConsumerStates: () => Promise.resolve([]),
    loadCursor: () => Promise.resolve([]),
    loadParkedKeys: () => Promise.resolve([]),
    listDeadLetters: (filter: DeadLetterFilter = {}) =>
      Promise.resolve(
        sorted
          .filter(
            (d) => d.consumer === filter.consumer && (filter.after === undefined || d.id > filter.after),
          )
          .slice(0, filter.limit ?? 100) as DeadLetter[],
      ),
  };
  return reads as Store;
}

describe('admin.consumers.list', () => {
  it('counts every dead letter of a consumer, however many there are', async () => {
    const letters = Array.from({ length: 100_003 }, (_, i) => ({
      id: `dl-${String(i).padStart(6, '0')}`,
      consumer: 'mailer',
      status: i % 3 === 0 ? ('parked' as const) : ('discarded' as const),
    }));
    letters.push({ id: 'dl-other', consumer: 'shipper', status: 'parked' });
    const [mailer] = await createAdmin({ store: storeWith(letters) }).consumers.list();
    expect(mailer?.deadLetters).toEqual({ parked: 33_335, discarded: 66_668 });
  });
});
