import { fileURLToPath } from 'node:url';
import { runCrashTest } from '@parley/testing';
import { openPostgres } from './postgresEnvironment.ts';
import { describePostgres, testUrl, useSchemas } from './postgresTestDatabase.ts';

describePostgres('postgres', () => {
  const { base } = useSchemas();
  const url = new URL(testUrl);
  url.searchParams.set('schema', base);

  runCrashTest({
    name: 'postgres',
    worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
    url: () => url.toString(),
    open: () => Promise.resolve(openPostgres(testUrl, base)),
    keys: 20,
    perKey: 40,
    kills: 6,
  });
});
