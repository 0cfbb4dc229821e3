// Child process of the SQLite workflow crash test: opens the file named on the command line and runs workflows
// until it is killed.
import { startWorkflowCrashWorker } from '@parley/testing';
import { createSqliteBus } from '../createSqliteBus.ts';
import { createSqliteStore } from '../createSqliteStore.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: workflowCrashWorker <sqlite-url>');
const bus = createSqliteBus(url);
await startWorkflowCrashWorker(createSqliteStore(url, { bus }), bus);
