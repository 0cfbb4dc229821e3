import { runConformanceSuite } from '@parley/testing';
import { sqliteEnvironment } from './sqliteEnvironment.ts';

runConformanceSuite({
  name: 'sqlite',
  features: { orderedPerKey: true, exactlyOnceEffects: true, persistent: true, multiInstance: true },
  createEnvironment: () => Promise.resolve(sqliteEnvironment()),
});
