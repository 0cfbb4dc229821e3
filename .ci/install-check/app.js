// A small app written against the installed packages, as a user would (plain JavaScript, run as app.mjs): an
// entity publishes to a topic through its outbox and a consumer projects the messages into a read model, all on
// one SQLite file. Exits non-zero unless the consumer saw every message.
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createService, defineEntity, defineReadModel, defineTopic, publishTo } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { z } from 'zod';

const counter = defineEntity({
  name: 'counter',
  initialState: () => ({ count: 0 }),
  commands: { Increment: z.object({ by: z.number().int().positive() }) },
  events: { Incremented: z.object({ by: z.number().int() }) },
  decide: (_state, command) => ({ type: 'Incremented', data: { by: command.data.by } }),
  evolve: (state, event) => ({ count: state.count + event.data.by }),
});

const counterEvents = defineTopic({
  name: 'counter-events',
  partitions: 2,
  messages: { Incremented: z.object({ counterId: z.string(), by: z.number().int() }) },
});

const totals = defineReadModel({
  name: 'totals',
  schema: z.object({ total: z.number().int(), messages: z.number().int() }),
});

const url = `sqlite:${process.argv[2] ?? './app.db'}`;
const bus = createSqliteBus(url);
const store = createSqliteStore(url, { bus });
const service = createService({ name: 'counters', store, bus })
  .entity(counter, {
    publish: publishTo(counterEvents, (event, { entityId }) => ({
      type: 'Incremented',
      key: entityId,
      payload: { counterId: entityId, by: event.data.by },
    })),
  })
  .consumer({
    name: 'totals-projection',
    source: counterEvents,
    handle: {
      Incremented: async ({ payload }, ctx) => {
        const line = (await ctx.readModel(totals).get(payload.counterId)) ?? { total: 0, messages: 0 };
        await ctx.readModel(totals).set(payload.counterId, {
          total: line.total + payload.by,
          messages: line.messages + 1,
        });
      },
    },
  });

let seen;
try {
  await service.start();
  for (const by of [1, 2, 3]) await service.execute(counter, 'c-1', { type: 'Increment', data: { by } });
  const deadline = Date.now() + 15_000;
  do {
    seen = await service.query(totals).get('c-1');
    if (seen?.messages === 3) break;
    await sleep(20);
  } while (Date.now() < deadline);
} finally {
  await service.stop();
  await store.close();
  await bus.close();
}
if (seen?.messages !== 3 || seen.total !== 6) {
  process.stderr.write(`app: the consumer saw ${JSON.stringify(seen)}, expected 3 messages adding up to 6\n`);
  process.exit(1);
}
process.stdout.write(`app: the consumer saw all 3 messages (total ${seen.total})\n`);
