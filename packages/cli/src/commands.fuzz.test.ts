import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isParleyError, type Store } from '@parley/core';
import { createSqliteStore } from '@parley/sqlite';
import { CommanderError, type Command } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProgram } from './createProgram.ts';
import { CONSUMER, parkOrders } from './fixtures/parkOrders.ts';
import { REPO_ROOT } from './fixtures/runCli.ts';

// The operator commands (dlq, outbox, workflows) run in this process over a real SQLite store with parked dead
// letters, given hostile arguments: each ends with a usage error or an error that says what is wrong — never a
// TypeError from inside — and nothing in the store changes.

const typed = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer().map(String),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1.5',
    '1e400',
    '0x10',
    '99999999999999999999',
    'NaN',
    '\u0000',
    '__proto__',
    "' OR 1=1 --",
    '%',
    '{}',
    '[]',
    'null',
    '{"orderId":1}',
    'parked',
    'failed,discarded',
    '2025-01-01',
    'garbage-date',
    'x'.repeat(3000),
  ),
);
/** A consumer name that is not the fixture's: a filter with it matches nothing. */
const otherConsumer = typed.filter((v) => v !== CONSUMER);

const option = (names: ReadonlyArray<string>) =>
  fc.array(
    fc.tuple(fc.constantFrom(...names), typed).map(([name, value]) => `${name}=${value}`),
    { maxLength: 3 },
  );
const FILTERS = ['--type', '--key', '--status', '--reason', '--error', '--since', '--until'];

function commandLine(realIds: ReadonlyArray<string>) {
  const id = fc.oneof(typed, fc.constantFrom(...realIds));
  const by = option(['--by']);
  return fc.oneof(
    fc.tuple(fc.constant(['dlq', 'list']), option(['--limit', '--after', '--consumer', ...FILTERS])),
    fc.tuple(
      fc.constant(['dlq', 'show']),
      id.map((v) => [v]),
    ),
    ...(['redrive', 'discard'] as const).flatMap((verb) => [
      fc.tuple(
        fc.constant(['dlq', verb]),
        fc.tuple(typed, by).map(([v, b]) => [v, ...b]),
      ),
      fc.tuple(
        fc.constant(['dlq', verb]),
        fc
          .tuple(otherConsumer, option([...FILTERS, '--by']), fc.boolean())
          .map(([consumer, rest, all]) => [`--consumer=${consumer}`, ...rest, ...(all ? ['--all'] : [])]),
      ),
    ]),
    fc.tuple(
      fc.constant(['dlq', 'skip']),
      fc.tuple(otherConsumer, typed, by).map(([c, k, b]) => [c, k, ...b]),
    ),
    fc.tuple(
      fc.constant(['dlq', 'edit']),
      fc
        .tuple(id, typed, fc.boolean(), option(['--reason', '--by']))
        // With the app's schemas, only as a dry run: a valid payload would be applied, and that is no bad input.
        .map(([i, payload, app, rest]) => [
          i,
          `--payload=${payload}`,
          ...(app
            ? ['--app', path.join(REPO_ROOT, 'packages/cli/src/fixtures/shopApp.ts'), '--dry-run']
            : []),
          ...rest,
        ]),
    ),
    fc.tuple(fc.constant(['outbox', 'list']), option(['--status', '--topic', '--limit', '--after'])),
    ...(['show', 'discard', 'retry'] as const).map((verb) =>
      fc.tuple(
        fc.constant(['outbox', verb]),
        fc.tuple(typed, by).map(([v, b]) => [v, ...b]),
      ),
    ),
    fc.tuple(fc.constant(['workflows', 'list']), option(['--workflow', '--status', '--limit', '--after'])),
    ...(['show', 'cancel', 'resume', 'retry'] as const).map((verb) =>
      fc.tuple(
        fc.constant(['workflows', verb]),
        fc.tuple(typed, typed, option(['--by', '--reason'])).map(([w, r, rest]) => [w, r, ...rest]),
      ),
    ),
  );
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

describe('operator commands, whatever they are given', () => {
  let dir: string;
  let url: string;
  let store: Store;
  let realIds: string[];

  const snapshot = async () =>
    JSON.stringify([
      await store.listDeadLetters({
        status: ['parked', 'retrying', 'redriven', 'discarded', 'skipped', 'escalated'],
        limit: 1000,
      }),
      await store.listOutbox({ status: ['pending', 'failed', 'discarded'], limit: 1000 }),
      await store.findDocuments('parley-workflow-runs', { limit: 1000 }),
      await store.listConsumerStates(),
    ]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-fuzz-'));
    const parked = await parkOrders(dir);
    url = parked.url;
    realIds = [...parked.deadLetters.values()].map((d) => d.id);
    store = createSqliteStore(url);
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad arguments saying what is wrong, and changes nothing', { timeout: 120_000 }, async () => {
    const before = await snapshot();
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ends = { ran: 0, usage: 0, refused: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(commandLine(realIds), fc.boolean(), async ([words, args], json) => {
          const program = createProgram();
          for (const command of everyCommand(program)) {
            command.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
          }
          const argv = [...words, ...args, '--store', url, ...(json ? ['--json'] : [])];
          try {
            await program.parseAsync(argv, { from: 'user' });
            ends.ran++;
          } catch (error) {
            ends[error instanceof CommanderError ? 'usage' : 'refused']++;
            const what = `${argv.join(' ')}: ${String(error)}`;
            expect(error, what).toBeInstanceOf(Error);
            const known = error instanceof CommanderError || isParleyError(error);
            // Errors of the commands themselves (a payload that is not JSON, an unknown app module) are plain
            // Errors with a message; a TypeError or RangeError would come from somewhere deep.
            expect(known || (error as Error).name === 'Error', what).toBe(true);
            expect((error as Error).message.length, what).toBeGreaterThan(0);
          } finally {
            process.exitCode = undefined;
          }
          expect(await snapshot(), `${argv.join(' ')} changed the store`).toBe(before);
        }),
        { numRuns: 400 },
      );
      // Not all stopped at the parser: commands ran, and the admin API or the command refused others.
      expect(ends.ran, JSON.stringify(ends)).toBeGreaterThan(20);
      expect(ends.refused, JSON.stringify(ends)).toBeGreaterThan(20);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
