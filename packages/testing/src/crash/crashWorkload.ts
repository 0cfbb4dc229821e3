import { createService, type Bus, type Service, type Store } from '@parley/core';
import { account, echoes, numbers, progress } from '../conformance/fixtures.ts';

/** Environment variable of a crash worker's partition lease lifetime, in ms. */
export const LEASE_TTL_VARIABLE = 'PARLEY_CRASH_LEASE_TTL_MS';

/** What handling one message takes besides its effects: 2,400 messages keep one instance busy for over 0.7 s. */
const WORK_MS = 5;

/**
 * The service the crash test kills and restarts: every `Numbered` message deposits into the account named by
 * its key, publishes an echo and bumps a read model — three kinds of effect that must each happen exactly once.
 */
export function crashWorkload(store: Store, bus: Bus): Service {
  // Short leases: when one of several instances is killed, the others take its partitions over within a second.
  // The restart test sets long ones, to show a restarted process does not wait for them.
  const leaseTtlMs = Number(process.env[LEASE_TTL_VARIABLE] ?? 1000);
  return createService({ name: 'crash', store, bus, leaseTtlMs })
    .entity(account)
    .consumer({
      name: 'crash-worker',
      source: numbers,
      concurrency: 16,
      batchSize: 64,
      handle: {
        Numbered: async (message, ctx) => {
          // A little work per message, so that a fast backend is still mid-run when the test kills it.
          await new Promise((resolve) => setTimeout(resolve, WORK_MS));
          await ctx.execute(account, message.key, {
            type: 'Deposit',
            data: { amount: 1, seq: message.payload.seq },
          });
          await ctx.publish(echoes, {
            type: 'Echoed',
            key: message.key,
            payload: { key: message.key, seq: message.payload.seq },
          });
          const doc = (await ctx.readModel(progress).get(message.key)) ?? {
            key: message.key,
            last: -1,
            count: 0,
          };
          await ctx
            .readModel(progress)
            .set(message.key, { key: message.key, last: message.payload.seq, count: doc.count + 1 });
        },
      },
    });
}

/** Runs the crash workload in a worker process until it is killed; tells the parent once it has started. */
export async function startCrashWorker(store: Store, bus: Bus): Promise<void> {
  await crashWorkload(store, bus).start();
  process.send?.('started');
  // Keeps the process alive until the test kills it.
  setInterval(() => {}, 1 << 30);
}
