import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCrashTest, runRestartTest } from '@parley/testing';
import { afterAll, describe, it } from 'vitest';
import { NATS_URL, natsAvailable, removePrefix, uniquePrefix } from '../testkit/natsServer.ts';
import { openNats } from './natsEnvironment.ts';

if (await natsAvailable()) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nats-crash-'));
  const prefix = uniquePrefix('crash');
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await removePrefix(prefix);
  });

  runCrashTest({
    name: 'sqlite store + nats bus',
    worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
    url: () => JSON.stringify({ store: `sqlite:${path.join(dir, 'app.db')}`, servers: NATS_URL, prefix }),
    open: () => Promise.resolve(openNats(dir, prefix)),
  });

  const restartPrefix = uniquePrefix('restart');
  afterAll(() => removePrefix(restartPrefix));
  runRestartTest({
    name: 'sqlite store + nats bus',
    worker: fileURLToPath(new URL('./crashWorker.ts', import.meta.url)),
    url: () =>
      JSON.stringify({
        store: `sqlite:${path.join(dir, 'restart.db')}`,
        servers: NATS_URL,
        prefix: restartPrefix,
      }),
    open: () => Promise.resolve(openNats(dir, restartPrefix, 'restart')),
  });
} else {
  describe('crash test: sqlite store + nats bus', () => {
    it.skip('needs NATS with JetStream (see the notice above)', () => {});
  });
}
