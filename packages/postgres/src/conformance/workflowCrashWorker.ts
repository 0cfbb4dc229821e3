// Child process of the PostgreSQL workflow crash test: opens the store and bus named by the URL on the command
// line (`?schema=` included) and runs workflows until it is killed.
import { startWorkflowCrashWorker } from '@parley/testing';
import { createPostgresBus } from '../createPostgresBus.ts';
import { createPostgresStore } from '../createPostgresStore.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: workflowCrashWorker <postgres-url>');
const bus = createPostgresBus(url, { poolSize: 4 });
await startWorkflowCrashWorker(createPostgresStore(url, { bus, poolSize: 4 }), bus);
