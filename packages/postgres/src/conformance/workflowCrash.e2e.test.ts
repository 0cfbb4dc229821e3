import { fileURLToPath } from 'node:url';
import { runWorkflowCrashTest } from '@parley/testing';
import { openPostgres } from './postgresEnvironment.ts';
import { describePostgres, testUrl, useSchemas } from './postgresTestDatabase.ts';

describePostgres('postgres', () => {
  const { base } = useSchemas();
  const url = new URL(testUrl);
  url.searchParams.set('schema', base);

  runWorkflowCrashTest({
    name: 'postgres',
    worker: fileURLToPath(new URL('./workflowCrashWorker.ts', import.meta.url)),
    url: () => url.toString(),
    open: () => Promise.resolve(openPostgres(testUrl, base)),
  });
});
