import { runConformanceSuite } from '@parley/testing';
import { describe, it } from 'vitest';
import { natsAvailable } from '../testkit/natsServer.ts';
import { natsEnvironment } from './natsEnvironment.ts';

if (await natsAvailable()) {
  runConformanceSuite({
    name: 'sqlite store + nats bus',
    features: { orderedPerKey: true, exactlyOnceEffects: true, persistent: true, multiInstance: true },
    createEnvironment: () => Promise.resolve(natsEnvironment('conf')),
  });
} else {
  describe('conformance: sqlite store + nats bus', () => {
    it.skip('needs NATS with JetStream (see the notice above)', () => {});
  });
}
