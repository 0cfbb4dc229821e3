import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterOf, filterOptions, type FilterFlags } from './commands/deadLetterFilterOptions.ts';
import { fraction } from './fraction.ts';
import { openBackend } from './openBackend.ts';
import { positiveInt } from './positiveInt.ts';

// What an operator types, whatever it is: a value is taken for what it plainly says, or refused as a usage error
// naming its flag — never read as something else (an empty string as 0, `1e400` as Infinity) and never a
// TypeError from inside.

const typed = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '0',
    '-0',
    '+1',
    '1',
    '01',
    '1.0',
    '1.5',
    '.5',
    '5.',
    '1e3',
    '1e400',
    '0x10',
    '0b1',
    'Infinity',
    'NaN',
    '9007199254740991',
    '9007199254740993',
    '-1',
    '1,000',
    '١',
    '\u0000',
  ),
);

function refusedNaming(work: () => unknown, flag: string): boolean {
  try {
    work();
    return false;
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message.startsWith(flag)).toBe(true);
    return true;
  }
}

describe('command-line values, whatever is typed', () => {
  it('positiveInt takes decimal digits for a safe integer of at least 1, and refuses the rest', () => {
    fc.assert(
      fc.property(typed, (value) => {
        const digits = /^\s*\+?\d+\s*$/.test(value);
        const n = Number(value);
        if (digits && Number.isSafeInteger(n) && n >= 1) expect(positiveInt(value, '--limit')).toBe(n);
        else expect(refusedNaming(() => positiveInt(value, '--limit'), '--limit')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('fraction takes a decimal number from 0 to 1, and refuses the rest', () => {
    fc.assert(
      fc.property(typed, (value) => {
        const decimal = /^\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value);
        const n = Number(value);
        if (decimal && n >= 0 && n <= 1) expect(fraction(value, '--timeouts')).toBe(n);
        else expect(refusedNaming(() => fraction(value, '--timeouts'), '--timeouts')).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // What Number() alone would have let through.
    for (const value of ['', ' ', '0x1', '0b1']) {
      expect(
        refusedNaming(() => fraction(value, '--timeouts'), '--timeouts'),
        value,
      ).toBe(true);
    }
  });

  it('dead-letter filter options are parsed into a filter, or refused naming the option', async () => {
    const flag = fc.constantFrom(
      '--consumer',
      '--type',
      '--key',
      '--status',
      '--reason',
      '--error',
      '--since',
      '--until',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(flag, typed), { maxLength: 4 }), async (pairs) => {
        const command = filterOptions(new Command('list'))
          .exitOverride()
          .configureOutput({ writeOut: () => {}, writeErr: () => {} })
          .action(() => {});
        let flags: FilterFlags | undefined;
        try {
          await command.parseAsync(
            pairs.flatMap(([name, value]) => [`${name}=${value}`]),
            { from: 'user' },
          );
          flags = command.opts<FilterFlags>();
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(CommanderError);
          // Commander's message names the option it refuses.
          const named = pairs.some(([name]) => (error as Error).message.includes(name));
          expect(named, (error as Error).message).toBe(true);
          return;
        }
        const filter = filterOf(flags);
        for (const [name, value] of pairs) {
          if (name === '--since' || name === '--until') {
            const time = filter[name === '--since' ? 'since' : 'until'];
            expect(Number.isFinite(Date.parse(time ?? 'x')), `${name}=${value}`).toBe(true);
          }
        }
        const statuses = filter.status === undefined ? [] : [filter.status].flat();
        for (const status of statuses) {
          expect(['retrying', 'parked', 'redriven', 'discarded', 'skipped', 'escalated']).toContain(status);
        }
        if (filter.reason !== undefined) expect(['invalid', 'failed']).toContain(filter.reason);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('openBackend, whatever URL it is given', () => {
  let dir: string;
  let cwd: string;
  beforeAll(() => {
    // A relative path is a SQLite file in the working directory: fuzz in an empty one, which must stay empty.
    cwd = process.cwd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-open-fuzz-'));
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const url = fc.oneof(
    typed,
    fc.string().map((s) => `sqlite:${s}`),
    fc.string().map((s) => `file:${s}`),
    fc.string().map((s) => `${s}:${s}`),
    fc.constantFrom(
      'sqlite:',
      'sqlite::memory:',
      ':memory:',
      'sqlite:./nope.db?mode=ro',
      'sqlite:%zz',
      'SQLITE:x.db',
      'C:\\data\\app.db',
      '/dev/null',
      '/etc/passwd',
      '/',
      '.',
      'mysql://localhost/db',
      'redis://x',
      'nats:',
      'postgres://[::1',
      'postgres://:99999/x',
      'postgresql://%zz@/db',
      'http://example.com',
    ),
  );

  it('opens nothing that is not a Parley database, says why, and creates no file', async () => {
    await fc.assert(
      fc.asyncProperty(url, fc.option(url, { nil: undefined }), async (store, bus) => {
        let opened: Awaited<ReturnType<typeof openBackend>> | undefined;
        try {
          opened = await openBackend({ store, bus });
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(Error);
          const message = (error as Error).message;
          // Says which URL, file or scheme it could not use, in its own words.
          expect(message, message).toMatch(/store|bus|URL|database|file|scheme|postgres|nats/i);
          expect((error as Error).name === 'TypeError' && !/URL/.test(message), message).toBe(false);
        } finally {
          await opened?.close();
        }
        expect(opened, `${store} / ${bus} opened`).toBeUndefined();
        expect(fs.readdirSync(dir)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
