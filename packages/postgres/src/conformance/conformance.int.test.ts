import { runConformanceSuite } from '@parley/testing';
import { postgresEnvironment } from './postgresEnvironment.ts';
import { describePostgres } from './postgresTestDatabase.ts';

describePostgres('postgres', () => {
  runConformanceSuite({
    name: 'postgres',
    features: { orderedPerKey: true, exactlyOnceEffects: true, persistent: true, multiInstance: true },
    createEnvironment: () => Promise.resolve(postgresEnvironment()),
  });
});
