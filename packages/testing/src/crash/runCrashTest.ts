import { fork } from 'node:child_process';
import { createService, silentLogger } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../conformance/ConformanceTarget.ts';
import { account, echoes, numbers, progress } from '../conformance/fixtures.ts';

export interface CrashTestOptions {
  /** Backend name, for the test title. */
  name: string;
  /**
   * A module that opens a connection from `process.argv[2]` and runs `startCrashWorker(connection)`; it is
   * started as a child process with `--conditions=source --import tsx`.
   */
  worker: string;
  /** The URL handed to each worker. */
  url: () => string;
  /** Opens a connection in the test process, to publish and to verify. */
  open: () => Promise<Connection>;
  /** @default 40 */
  keys?: number;
  /** @default 60 */
  perKey?: number;
  /** @default 12 */
  kills?: number;
  /**
   * Worker processes running the same consumer at once, sharing its partitions through leases; each kill takes
   * one of them down, so the others must take its partitions over.
   * @default 1
   */
  instances?: number;
}

export function startWorker(worker: string, url: string, env: Record<string, string> = {}) {
  const child = fork(worker, [url], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited early (${code ?? signal}): ${stderr}`)),
    );
  });
  return { child, started, exited };
}

/**
 * The crash test: a child process handling messages (each one an entity command, a publish and a read-model
 * write) is killed with SIGKILL at random moments and restarted, many times. Afterwards every message's effects
 * must be there exactly once, in key order.
 */
export function runCrashTest(options: CrashTestOptions): void {
  const keys = options.keys ?? 40;
  const perKey = options.perKey ?? 60;
  const kills = options.kills ?? 12;
  const instances = options.instances ?? 1;
  const total = keys * perKey;

  describe(`crash test: ${options.name}`, () => {
    it(
      instances === 1
        ? 'loses no message and applies no effect twice when killed at random moments'
        : `loses no message and applies no effect twice with ${instances} instances killed at random moments`,
      { timeout: 240_000 },
      async () => {
        const conn = await options.open();
        try {
          const publisher = createService({
            name: 'publisher',
            store: conn.store,
            bus: conn.bus,
            logger: silentLogger,
          });
          const messages = [];
          for (let seq = 0; seq < perKey; seq++) {
            for (let k = 0; k < keys; k++)
              messages.push({
                type: 'Numbered' as const,
                key: `acct-${k}`,
                payload: { key: `acct-${k}`, seq },
              });
          }
          await publisher.publish(numbers, messages);
          await conn.bus.ensureTopic(echoes);
          const deposits = async () => (await conn.store.readEvents(account.name, 0, total * 2)).length;

          let killed = 0;
          let killedMidway = 0;
          let last = 0;
          const workers = await Promise.all(
            Array.from({ length: instances }, async () => {
              const run = startWorker(options.worker, options.url());
              await run.started;
              return run;
            }),
          );
          while (killed < kills) {
            await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 200));
            const victim = Math.floor(Math.random() * workers.length);
            workers[victim]!.child.kill('SIGKILL');
            await workers[victim]!.exited;
            killed++;
            const count = await deposits();
            expect(count).toBeGreaterThanOrEqual(last);
            if (count < total) killedMidway++;
            last = count;
            if (count === total) break;
            const replacement = startWorker(options.worker, options.url());
            await replacement.started;
            workers[victim] = replacement;
          }
          const deadline = Date.now() + 120_000;
          while ((await deposits()) < total && Date.now() < deadline) {
            if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) {
              const replacement = startWorker(options.worker, options.url());
              await replacement.started;
              workers[0] = replacement;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          for (const worker of workers) {
            if (worker.child.exitCode === null && worker.child.signalCode === null)
              worker.child.kill('SIGTERM');
            await worker.exited;
          }

          expect(killedMidway).toBeGreaterThan(0);
          expect(await deposits()).toBe(total);
          const reader = createService({
            name: 'reader',
            store: conn.store,
            bus: conn.bus,
            logger: silentLogger,
          }).entity(account);
          for (let k = 0; k < keys; k++) {
            const { state } = await reader.load(account, `acct-${k}`);
            expect(state.seen).toEqual(Array.from({ length: perKey }, (_, i) => i));
            expect(await reader.query(progress).get(`acct-${k}`)).toEqual({
              key: `acct-${k}`,
              last: perKey - 1,
              count: perKey,
            });
          }
          const echoed = [];
          for (let p = 0; p < echoes.partitions; p++)
            echoed.push(...(await conn.bus.read(echoes.name, p, 0, total * 2)));
          expect(echoed).toHaveLength(total);
          expect(new Set(echoed.map((e) => e.id)).size).toBe(total);
        } finally {
          await conn.close();
        }
      },
    );
  });
}
