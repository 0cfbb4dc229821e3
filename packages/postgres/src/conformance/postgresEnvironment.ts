import type { Connection, Environment } from '@parley/testing';
import { createPostgresBus } from '../createPostgresBus.ts';
import { createPostgresStore } from '../createPostgresStore.ts';
import { dropSchemas, randomSchemaName, testPoolSize, testUrl } from './postgresTestDatabase.ts';

/**
 * A fresh schema name for one test. Without a service name, store and bus share the schema `<env>` (the store
 * writes straight into the topic log); with one, the service's store is `<env>_<service>` and the bus is
 * `<env>_bus` (an outbox relay runs). Disposing drops them all.
 */
export function postgresEnvironment(): Environment & { schema: string } {
  const schema = randomSchemaName();
  return {
    schema,
    open(options = {}) {
      return Promise.resolve(openPostgres(testUrl, schema, options.service));
    },
    dispose: () => dropSchemas(schema),
  };
}

export function openPostgres(url: string, schema: string, service?: string): Connection {
  const bus = createPostgresBus(url, {
    schema: service === undefined ? schema : `${schema}_bus`,
    poolSize: testPoolSize,
  });
  const store = createPostgresStore(url, {
    schema: service === undefined ? schema : `${schema}_${service.replace(/[^A-Za-z0-9_]/g, '_')}`,
    bus,
    poolSize: testPoolSize,
  });
  return {
    store,
    bus,
    close: async () => {
      await store.close();
      await bus.close();
    },
  };
}
