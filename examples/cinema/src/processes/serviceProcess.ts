// One cinema service in its own OS process:
// `serviceProcess.ts <show|wallet> <config.json> <store-url> <bus-url> [instance-id] [choreographed|orchestrated]`.
// Runs until SIGTERM (graceful) or SIGKILL.
import fs from 'node:fs';
import { silentLogger } from '@parley/core';
import { openBus, openStore } from '../openBackend.ts';
import type { CinemaConfig } from '../CinemaConfig.ts';
import { createShowService } from '../showService.ts';
import { createWalletService, openWallets } from '../walletService.ts';
import { createOrchestratedShowService } from '../orchestrated/orchestratedShowService.ts';
import { createOrchestratedWalletService } from '../orchestrated/orchestratedWalletService.ts';

const [name, configPath, storeUrl, busUrl, instanceId = `${name}-1`, saga = 'choreographed'] =
  process.argv.slice(2);
if (
  name === undefined ||
  configPath === undefined ||
  storeUrl === undefined ||
  busUrl === undefined ||
  (saga !== 'choreographed' && saga !== 'orchestrated')
) {
  throw new Error(
    'usage: serviceProcess <show|wallet> <config.json> <store-url> <bus-url> [instance-id] [choreographed|orchestrated]',
  );
}
const orchestrated = saga === 'orchestrated';
const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as CinemaConfig;
const bus = await openBus(busUrl, silentLogger);
const store = await openStore(storeUrl, bus, silentLogger);
let service;
if (name === 'wallet') {
  // A stable instance id: a restarted process takes its partitions back at once instead of waiting for its old
  // leases to expire.
  service = orchestrated
    ? createOrchestratedWalletService({ store, bus, config, instanceId })
    : createWalletService({ store, bus, config, instanceId });
  await openWallets(service, config);
} else if (name === 'show') {
  service = orchestrated
    ? createOrchestratedShowService({ store, bus, config, instanceId }).service
    : createShowService({ store, bus, config, instanceId });
} else {
  throw new Error(`unknown service ${name}`);
}
await service.start();
// The demo asks each process whether it is idle, to know when the story has settled.
process.on('message', (message: { type?: string; id?: number }) => {
  if (message.type !== 'checkIdle') return;
  void service.checkIdle().then(
    (state) => process.send?.({ type: 'idle', id: message.id, state }),
    (error: unknown) =>
      process.send?.({
        type: 'idle',
        id: message.id,
        state: { idle: false, busy: [`check failed: ${String(error)}`], activity: 0 },
      }),
  );
});
process.send?.('started');
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => Promise.all([store.close(), bus.close()]))
    .then(() => process.exit(0));
});
