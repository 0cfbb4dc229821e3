// One process of the scale-out scenario's consumer service: `scaleOutWorker.ts <config JSON>`, forked with an IPC
// channel. Builds the service, says `ready`, starts it on `start`, reports every commit, rebalance, rewind and
// dead letter, and stops (then exits) on `stop`.
import { createService } from '@parley/core';
import { benchAccount, benchOrders, recordOrder } from '../benchModel.ts';
import { openPlace } from './scaleOutPlace.ts';
import {
  CONSUMER,
  CONSUMER_SERVICE,
  type WorkerConfig,
  type WorkerReport,
  type WorkerCommand,
} from './scaleOutProtocol.ts';

const now = () => performance.timeOrigin + performance.now();
const send = (report: WorkerReport) => process.send?.(report);

const raw = process.argv[2];
if (raw === undefined || process.send === undefined) {
  throw new Error('usage: scaleOutWorker.ts <config JSON>, forked with an IPC channel');
}
const config = JSON.parse(raw) as WorkerConfig;
const place = await openPlace(config.place);
const service = createService({
  name: CONSUMER_SERVICE,
  store: place.store,
  bus: place.bus,
  instanceId: config.instanceId,
  leaseTtlMs: config.leaseTtlMs,
})
  .entity(benchAccount)
  .consumer({
    name: CONSUMER,
    source: benchOrders,
    concurrency: config.concurrency,
    retry: { immediateRetries: 0, delayedRetries: 0 },
    stormGuard: false,
    handle: {
      OrderPlaced: async (message, ctx) => {
        await ctx.execute(benchAccount, message.key, recordOrder(message.payload));
      },
    },
  });
let committed = 0;
service.on('consumer:committed', (event) => {
  if (event.consumer !== CONSUMER) return;
  committed += event.messages;
  send({ type: 'committed', messages: committed, at: now() });
});
service.on('consumer:rebalanced', (event) => send({ type: 'rebalanced', partitions: event.partitions }));
service.on('consumer:resumed', () => send({ type: 'resumed', at: now() }));
service.on('consumer:rewound', () => send({ type: 'rewound' }));
service.on('consumer:dead-lettered', (event) =>
  send({
    type: 'dead-lettered',
    key: event.deadLetter.message.key,
    error: event.deadLetter.error.message,
  }),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await service.stop();
  await place.close();
  process.exit(0);
};
process.on('message', (command: WorkerCommand) => {
  if (command.type === 'start') {
    void service.start().then(
      () => send({ type: 'started', at: now() }),
      (error: unknown) => {
        process.stderr.write(`starting the service failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  } else if (command.type === 'stop') {
    void stop().catch((error: unknown) => {
      process.stderr.write(`stopping the service failed: ${String(error)}\n`);
      process.exit(1);
    });
  }
});
// The parent gone (killed, crashed): stop rather than consume on alone.
process.on('disconnect', () => {
  if (!stopping) void stop().finally(() => process.exit(0));
});
send({ type: 'ready' });
