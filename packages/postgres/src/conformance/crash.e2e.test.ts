import { fileURLToPath } from 'node:url';
import { runCrashTest, runRestartTest } from '@parley/testing';
import { openPostgres } from './postgresEnvironment.ts';
import { describePostgres, testUrl, useSchemas } from './postgresTestDatabase.ts';

describePostgres('postgres', () => {
  const schemas = useSchemas();
  const { base } = schemas;
  const restartSchema = schemas.next();
  const restartUrl = new URL(testUrl);
  restartUrl.searchParams.set('schema', restartSchema);
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

  runRestartTest({
    name: 'postgres',
    worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
    url: () => restartUrl.toString(),
    open: () => Promise.resolve(openPostgres(testUrl, restartSchema)),
    keys: 20,
    perKey: 40,
  });
});
