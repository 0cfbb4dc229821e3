// Child process of the SQLite crash test: opens the file named on the command line and handles messages
// until it is killed.
import { startCrashWorker } from '@parley/testing';
import { createSqliteBus } from '../createSqliteBus.ts';
import { createSqliteStore } from '../createSqliteStore.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: crashWorker <sqlite-url>');
const bus = createSqliteBus(url);
await startCrashWorker(createSqliteStore(url, { bus }), bus);
