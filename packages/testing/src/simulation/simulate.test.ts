import { createService, silentLogger, type Store } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { account, numbers } from '../conformance/fixtures.ts';
import { ALL_FAULTS } from './faults/FaultRates.ts';
import { checkpointBeforeEffects } from './checkpointBeforeEffects.ts';
import { simulate } from './simulate.ts';
import type { ServiceEnv, SimulateOptions } from './SimulationOptions.ts';

const KEYS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const PER_KEY = 8;

/** A bank whose consumer deposits each numbered message into the account of its key. */
function bank(env: ServiceEnv, wrapStore: (store: Store) => Store = (s) => s) {
  return createService({ ...env, store: wrapStore(env.store) })
    .entity(account)
    .consumer({
      name: 'bank-deposits',
      source: numbers,
      concurrency: 4,
      handle: async (message, ctx) => {
        await ctx.execute(account, message.key, {
          type: 'Deposit',
          data: { amount: 1, seq: message.payload.seq },
        });
      },
    });
}

function options(seed: number, overrides: Partial<SimulateOptions> = {}): SimulateOptions {
  return {
    seed,
    services: { bank: (env) => bank(env) },
    clients: { teller: (env) => createService(env) },
    workload: async (world) => {
      for (let seq = 1; seq <= PER_KEY; seq++) {
        const batch = KEYS.map((key) => ({ type: 'Numbered' as const, key, payload: { key, seq } }));
        await world.service('teller').publish(numbers, batch);
        await world.sleep(world.random.between(0, 20));
      }
    },
    invariants: {
      eachDepositOnceInOrder: async (world) => {
        const observer = createService({
          name: 'observer',
          store: world.store('bank'),
          bus: world.bus,
        }).entity(account);
        const problems: string[] = [];
        for (const key of KEYS) {
          const { state } = await observer.load(account, key);
          const expected = Array.from({ length: PER_KEY }, (_, i) => i + 1);
          if (JSON.stringify(state.seen) !== JSON.stringify(expected))
            problems.push(`${key} saw ${JSON.stringify(state.seen)}`);
        }
        return problems;
      },
    },
    logger: silentLogger,
    ...overrides,
  };
}

describe('simulate', () => {
  it('replays a seed exactly: the same store and bus calls in the same order, faults included', async () => {
    const first = await simulate(options(3, { faults: ALL_FAULTS, checkDeterminism: true }));
    expect(first.violations).toEqual([]);
    const again = await simulate(options(3, { faults: ALL_FAULTS }));
    expect(again.digest).toBe(first.digest);
    const other = await simulate(options(4, { faults: ALL_FAULTS }));
    expect(other.digest).not.toBe(first.digest);
    expect(first.messages).toBeGreaterThanOrEqual(KEYS.length * PER_KEY);
  });

  it('finds nothing wrong in the engine under every fault, at ten times the usual rates', async () => {
    const intense = Object.fromEntries(
      Object.entries(ALL_FAULTS).map(([kind, rate]) => [kind, Math.min(1, rate * 10)]),
    );
    const failed: string[] = [];
    let injected = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const report = await simulate(options(seed, { faults: intense, settleWithinMs: 60_000 }));
      injected += Object.values(report.faults).reduce((a, b) => a + b, 0);
      if (!report.ok) failed.push(`${seed}: ${report.violations.join('; ')}`);
    }
    expect(failed).toEqual([]);
    expect(injected).toBeGreaterThan(1_000);
  });

  it('finds a planted bug — a checkpoint committed before its effects — and replays it from its report', async () => {
    const planted = (seed: number) =>
      options(seed, {
        services: { bank: (env) => bank(env, checkpointBeforeEffects) },
        faults: { crashAfterCommit: 0.02 },
        replayCommand: (replay) => `replay ${replay}`,
      });
    let found: Awaited<ReturnType<typeof simulate>> | undefined;
    for (let seed = 1; seed <= 200 && found === undefined; seed++) {
      const report = await simulate(planted(seed));
      if (!report.ok) found = report;
    }
    expect(found).toBeDefined();
    expect(found!.violations.join('\n')).toMatch(/eachDepositOnceInOrder/);
    expect(found!.command).toBe(`replay ${found!.replay}`);
    expect(found!.schedule).toMatch(/^crashAfterCommit@\d+(,crashAfterCommit@\d+)*$/);
    const replayed = await simulate({ ...planted(999), replay: found!.replay });
    expect(replayed.seed).toBe(found!.seed);
    expect(replayed.ok).toBe(false);
    expect(replayed.violations).toEqual(found!.violations.filter((v) => !v.startsWith('not deterministic')));
  });

  it('retries a client call that was under way when its process restarted, on the next incarnation', async () => {
    // The command's first store read is slowed by three virtual seconds; a restart strikes meanwhile.
    const report = await simulate({
      seed: 7,
      services: { bank: (env) => createService(env).entity(account) },
      workload: async (world) => {
        await world.call('bank', (bank) =>
          bank.execute(account, 'alice', { type: 'Deposit', data: { amount: 5 } }, { commandId: 'once' }),
        );
      },
      invariants: {
        depositedOnce: async (world) => {
          const observer = createService({ name: 'observer', store: world.store('bank'), bus: world.bus });
          const { state } = await observer.entity(account).load(account, 'alice');
          return state.deposits === 1 ? [] : [`${state.deposits} deposits`];
        },
      },
      replay: '7/slowHandlers@0:3000,restarts@5:0',
      shrink: false,
      steps: 50_000,
      logger: silentLogger,
    });
    expect(report.violations).toEqual([]);
    expect(report.faults).toMatchObject({ slowHandlers: 1, restarts: 1 });
  });
});
