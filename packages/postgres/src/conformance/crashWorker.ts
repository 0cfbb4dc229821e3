// Child process of the PostgreSQL crash test: opens the store and bus named by the URL on the command line
// (`?schema=` included) and handles messages until it is killed.
import { startCrashWorker } from '@parley/testing';
import { createPostgresBus } from '../createPostgresBus.ts';
import { createPostgresStore } from '../createPostgresStore.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: crashWorker <postgres-url>');
const bus = createPostgresBus(url, { poolSize: 4 });
await startCrashWorker(createPostgresStore(url, { bus, poolSize: 4 }), bus);
