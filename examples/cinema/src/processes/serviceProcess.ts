// One cinema service in its own OS process: `serviceProcess.ts <show|wallet> <config.json> <store-url> <bus-url>`.
// Runs until SIGTERM (graceful) or SIGKILL.
import fs from 'node:fs';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import type { CinemaConfig } from '../CinemaConfig.ts';
import { createShowService } from '../showService.ts';
import { createWalletService, openWallets } from '../walletService.ts';

const [name, configPath, storeUrl, busUrl] = process.argv.slice(2);
if (name === undefined || configPath === undefined || storeUrl === undefined || busUrl === undefined) {
  throw new Error('usage: serviceProcess <show|wallet> <config.json> <store-url> <bus-url>');
}
const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as CinemaConfig;
const bus = createSqliteBus(busUrl);
const store = createSqliteStore(storeUrl, { bus });
let service;
if (name === 'wallet') {
  // A stable instance id: a restarted process takes its partitions back at once instead of waiting for its old
  // leases to expire.
  service = createWalletService({ store, bus, config, instanceId: `${name}-1` });
  await openWallets(service, config);
} else if (name === 'show') {
  service = createShowService({ store, bus, config, instanceId: `${name}-1` });
} else {
  throw new Error(`unknown service ${name}`);
}
await service.start();
process.send?.('started');
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => Promise.all([store.close(), bus.close()]))
    .then(() => process.exit(0));
});
