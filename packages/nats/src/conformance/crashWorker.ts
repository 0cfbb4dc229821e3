// Child process of the NATS crash test: a SQLite store file and a NATS bus, both named in the JSON argument;
// handles messages until killed. SIGTERM stops gracefully, so the outbox relay publishes what is left.
import { crashWorkload } from '@parley/testing';
import { createSqliteStore } from '@parley/sqlite';
import { createNatsBus } from '../createNatsBus.ts';

const arg = process.argv[2];
if (arg === undefined) throw new Error('usage: crashWorker {"store":"sqlite:…","servers":"…","prefix":"…"}');
const target = JSON.parse(arg) as { store: string; servers: string; prefix: string };
const store = createSqliteStore(target.store);
const bus = createNatsBus({ servers: target.servers, prefix: target.prefix });
const service = crashWorkload(store, bus);
await service.start();
process.on('SIGTERM', () => {
  void service
    .stop()
    .then(drainOutbox)
    .then(() => Promise.all([store.close(), bus.close()]))
    .finally(() => process.exit(0));
});

/** The relay's last pass on stop moves one batch; publish whatever else is left before exiting. */
async function drainOutbox(): Promise<void> {
  for (;;) {
    const records = await store.fetchOutbox(512);
    if (records.length === 0) return;
    await bus.publish(records);
    await store.markSent(records.map((r) => r.seq));
  }
}
process.send?.('started');
// Keeps the process alive until the test kills it.
setInterval(() => {}, 1 << 30);
