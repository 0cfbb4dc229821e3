import { runConformanceSuite } from '../conformance/runConformanceSuite.ts';
import { createMemoryBackend } from './createMemoryBackend.ts';

runConformanceSuite({
  name: 'memory',
  features: { orderedPerKey: true, exactlyOnceEffects: true, persistent: true, multiInstance: true },
  createEnvironment: () => Promise.resolve(createMemoryBackend()),
});
