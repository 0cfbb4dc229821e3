import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAdmin, type Admin, type DeadLetter, type Store } from '@parley/core';
import { createSqliteStore } from '@parley/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER, parkOrders } from '../fixtures/parkOrders.ts';
import { runCli } from '../fixtures/runCli.ts';

const APP = 'packages/cli/src/fixtures/shopApp.ts';

describe('parley dlq', () => {
  let dir: string;
  let url: string;
  let parked: Map<string, DeadLetter>;
  let store: Store;
  let admin: Admin;

  const idOf = (key: string): string => parked.get(key)!.id;
  const dlq = (...args: string[]) => runCli(['dlq', ...args, '--store', url]);
  const dlqJson = async <T>(...args: string[]): Promise<T> => {
    const result = await dlq(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-dlq-'));
    ({ url, deadLetters: parked } = await parkOrders(dir));
    store = createSqliteStore(url);
    admin = createAdmin({ store });
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Each spawn costs about a second of CPU: tests that only read run together, then those that act (on distinct keys).
  describe('reading and refusing (nothing changes)', () => {
    it.concurrent('list --json prints one flat object per dead letter, by id', async ({ expect }) => {
      const list = await dlqJson<Array<Record<string, unknown>>>('list');
      expect(list.map((d) => d.id)).toEqual([...parked.values()].map((d) => d.id).sort());
      expect(list.find((d) => d.key === 'o-bad')).toEqual({
        id: idOf('o-bad'),
        kind: 'message',
        consumer: CONSUMER,
        source: 'cli-orders',
        key: 'o-bad',
        type: 'OrderPlaced',
        status: 'parked',
        reason: 'failed',
        attempts: 1,
        error: 'mail server refused order o-bad',
        errorName: 'Error',
        messageId: parked.get('o-bad')!.message.id,
        firstFailedAt: parked.get('o-bad')!.firstFailedAt,
        lastFailedAt: parked.get('o-bad')!.lastFailedAt,
        edits: 0,
      });
    });

    it.concurrent(
      'list filters by key, status, error, reason, time, and pages with --limit/--after',
      async ({ expect }) => {
        const ids = [...parked.values()].map((d) => d.id).sort();
        const keys = (list: Array<{ key: string }>) => list.map((d) => d.key);
        const [byKey, byStatus, byError, paged, lastPage] = await Promise.all([
          dlqJson<Array<{ key: string }>>('list', '--key', 'o-bad', '--status', 'parked'),
          dlqJson<Array<{ key: string }>>('list', '--status', 'discarded,skipped', '--status', 'redriven'),
          dlqJson<Array<{ key: string }>>(
            'list',
            '--error',
            'ORDER O-WORSE',
            '--reason',
            'failed',
            '--consumer',
            CONSUMER,
          ),
          dlq('list', '--json', '--limit', '2', '--after', ids[0]!, '--since', '2000-01-01'),
          dlqJson<Array<{ id: string }>>('list', '--limit', '2', '--after', ids[1]!),
        ]);
        expect(keys(byKey)).toEqual(['o-bad']);
        expect(byStatus).toEqual([]);
        expect(keys(byError)).toEqual(['o-worse']);
        // stdout stays a JSON array; that there is more, and how to get it, goes to stderr.
        expect(paged.code).toBe(0);
        expect((JSON.parse(paged.stdout) as Array<{ id: string }>).map((d) => d.id)).toEqual(ids.slice(1, 3));
        expect(paged.stderr).toBe(
          `parley: more dead letters after ${ids[2]}: run again with --after ${ids[2]} for the next 2\n`,
        );
        expect(lastPage.map((d) => d.id)).toEqual(ids.slice(2, 4));
      },
    );

    it.concurrent('list prints a table for people', async ({ expect }) => {
      const { stdout, code } = await dlq('list', '--key', 'o-bad');
      expect(code).toBe(0);
      const [header, row, ...rest] = stdout.trimEnd().split('\n');
      expect(header).toMatch(/^ID\s+KIND\s+CONSUMER\s+KEY\s+TYPE\s+STATUS\s+ATTEMPTS\s+LAST FAILED\s+ERROR$/);
      expect(row).toMatch(
        new RegExp(
          `^${idOf('o-bad')}\\s+message\\s+${CONSUMER}\\s+o-bad\\s+OrderPlaced\\s+parked\\s+1\\s+\\S+Z\\s+mail server refused order o-bad$`,
        ),
      );
      expect(rest).toEqual([]);
    });

    it.concurrent(
      'list says when there are more than a page, and how to get the next',
      async ({ expect }) => {
        const ids = [...parked.values()].map((d) => d.id).sort();
        const [first, whole, beyond] = await Promise.all([
          dlq('list', '--limit', String(ids.length - 1)),
          dlq('list', '--limit', String(ids.length)),
          dlq('list', '--after', ids[ids.length - 1]!),
        ]);
        const lines = (out: string) => out.trimEnd().split('\n');
        expect(first.code).toBe(0);
        expect(lines(first.stdout)).toHaveLength(ids.length + 1);
        expect(lines(first.stdout).at(-1)).toBe(
          `(${ids.length - 1} shown; more dead letters after ${ids.at(-2)}: ` +
            `run again with --after ${ids.at(-2)} for the next ${ids.length - 1})`,
        );
        // Exactly a page: nothing more to get, so no hint.
        expect(whole.code).toBe(0);
        expect(lines(whole.stdout)).toHaveLength(ids.length + 1);
        expect(whole.stdout).not.toMatch(/more|after/);
        expect(beyond).toMatchObject({ code: 0, stdout: `no dead letters after ${ids.at(-1)}\n` });
      },
    );

    it.concurrent('show prints the whole record, for people and as JSON', async ({ expect }) => {
      const [human, json] = await Promise.all([
        dlq('show', idOf('o-bad')),
        dlqJson<DeadLetter>('show', idOf('o-bad')),
      ]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`Dead letter ${idOf('o-bad')}`);
      expect(human.stdout).toMatch(/"correlationId": "\w+"/);
      expect(human.stdout).toContain('"orderId": "o-bad"');
      expect(human.stdout).toMatch(/stack\n\s+Error: mail server refused order o-bad\n\s+at /);
      expect(human.stdout).toContain('Edits: none');
      expect(json).toEqual(parked.get('o-bad'));
    });

    it.concurrent(
      'edit refuses an invalid payload, invalid JSON and a missing --app, changing nothing',
      async ({ expect }) => {
        const id = idOf('o-bad');
        const [invalid, notJson, noApp] = await Promise.all([
          dlq('edit', id, '--payload', '{"orderId":"o-bad","amount":-5}', '--app', APP),
          dlq('edit', id, '--payload', '{"orderId":', '--app', APP),
          dlq('edit', id, '--payload', '{"orderId":"o-bad","amount":5}'),
        ]);
        expect(invalid.code).toBe(1);
        expect(invalid.stderr).toMatch(/^parley: invalid edit of OrderPlaced .*amount: /);
        expect(notJson.code).toBe(1);
        expect(notJson.stderr).toMatch(/--payload is not valid JSON/);
        expect(noApp.code).toBe(1);
        expect(noApp.stderr).toMatch(/no schema known for cli-orders.*--app/);
        expect(await admin.deadLetters.show(id)).toEqual(parked.get('o-bad'));
      },
    );

    it.concurrent('edit --dry-run prints the diff and changes nothing', async ({ expect }) => {
      const id = idOf('o-bad');
      const { stdout, stderr, code } = await dlq(
        'edit',
        id,
        '--payload',
        '{"orderId":"o-bad","amount":7}',
        '--app',
        APP,
        '--dry-run',
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain(
        [
          '--- before',
          '+++ after',
          '  {',
          '    "orderId": "o-bad",',
          '-   "amount": 10',
          '+   "amount": 7',
          '  }',
        ].join('\n'),
      );
      expect(stdout).toContain('dry run');
      expect(await admin.deadLetters.show(id)).toEqual(parked.get('o-bad'));
    });

    it.concurrent('refuses an unsupported URL and a database that does not exist', async ({ expect }) => {
      const [mysql, missing] = await Promise.all([
        runCli(['dlq', 'list', '--store', 'mysql://localhost/app']),
        runCli(['dlq', 'list', '--store', `sqlite:${path.join(dir, 'nope.db')}`]),
      ]);
      expect(mysql.code).toBe(1);
      expect(mysql.stderr).toBe(
        'parley: unsupported store URL "mysql://localhost/app": scheme "mysql:" ' +
          '(supported: sqlite:, postgres:// (store or bus), nats:// (bus))\n',
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^parley: no store database at .*nope\.db/);
      expect(fs.existsSync(path.join(dir, 'nope.db'))).toBe(false);
    });
  });

  describe('acting', () => {
    it.concurrent('edit applies a valid payload from stdin, audits it and redrives', async ({ expect }) => {
      const id = idOf('o-bad');
      const { stdout, stderr, code } = await runCli(
        [
          'dlq',
          'edit',
          id,
          '--store',
          url,
          '--payload-file',
          '-',
          '--app',
          APP,
          '--by',
          'alice',
          '--reason',
          'wrong amount',
        ],
        { input: '{ "orderId": "o-bad", "amount": 7 }\n' },
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('+   "amount": 7');
      expect(stdout).toMatch(/redriven/);
      const after = await admin.deadLetters.show(id);
      expect(after).toMatchObject({
        status: 'redriven',
        message: { payload: '{"orderId":"o-bad","amount":7}' },
      });
      expect(after.edits).toEqual([expect.objectContaining({ by: 'alice', reason: 'wrong amount' })]);
    });

    it.concurrent(
      'discard drops one dead letter; skip drops the head of a parked key',
      async ({ expect }) => {
        const [discarded, skipped] = await Promise.all([
          dlq('discard', idOf('o-worse'), '--by', 'bob'),
          dlq('skip', CONSUMER, 'o-ugly', '--by', 'bob'),
        ]);
        expect(discarded.code).toBe(0);
        expect(discarded.stdout).toBe(`discarded 1 dead letter\n  ${idOf('o-worse')}\n`);
        expect(skipped.code).toBe(0);
        expect(skipped.stdout).toContain(`skipped ${idOf('o-ugly')} (OrderPlaced at the head of key o-ugly)`);
        expect((await admin.deadLetters.show(idOf('o-worse'))).status).toBe('discarded');
        expect((await admin.deadLetters.show(idOf('o-ugly'))).status).toBe('discarded');
      },
    );

    it.concurrent(
      'redrive refuses to run without a target, and redrives what a filter matches',
      async ({ expect }) => {
        const [bare, filtered] = await Promise.all([
          dlq('redrive'),
          dlq('redrive', '--key', 'o-again', '--json'),
        ]);
        expect(bare.code).not.toBe(0);
        expect(bare.stderr).toMatch(/redrive what\? .*--all/);
        expect(filtered.code).toBe(0);
        expect(JSON.parse(filtered.stdout)).toEqual({
          redriven: 1,
          ids: [idOf('o-again')],
          untouched: 0,
          untouchedBy: {},
          untouchedIds: [],
        });
        expect((await admin.deadLetters.show(idOf('o-again'))).status).toBe('redriven');
      },
    );
  });
});
