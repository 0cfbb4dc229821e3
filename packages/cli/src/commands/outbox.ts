import { OutboxStatus, type OutboxEntry, type OutboxFilter } from '@parley/core';
import { InvalidArgumentError, type Command } from 'commander';
import { formatTable } from '../formatTable.ts';
import { prettyJson } from '@parley/console';
import { positiveInt } from '../positiveInt.ts';
import {
  actorOption,
  backendOptions,
  printJson,
  withAdmin,
  type ActorFlags,
  type BackendFlags,
} from './adminOptions.ts';

type ListFlags = BackendFlags & { status?: OutboxStatus[]; topic?: string; limit: number; after?: number };

const STATUSES = Object.values(OutboxStatus);

/** `parley outbox …`: see and clear the outbox messages the relay set aside because the bus refuses them. */
export function registerOutbox(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('inspect and handle outbox messages the bus refuses (set aside by the relay)');

  backendOptions(outbox.command('list'))
    .description('list outbox messages, oldest first: by default the failed ones, set aside by the relay')
    .option(
      '--status <statuses>',
      `only these statuses, comma-separated (${STATUSES.join(', ')}; default failed)`,
      parseStatuses,
    )
    .option('--topic <name>', 'only messages for this topic')
    .option('--limit <n>', 'at most this many (one page)', (v) => positiveInt(v, '--limit'), 100)
    .option('--after <seq>', 'only messages after this seq: the last of the previous page', (v) =>
      positiveInt(v, '--after'),
    )
    .action(async (flags: ListFlags) => {
      const filter: OutboxFilter = {
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.topic === undefined ? {} : { topic: flags.topic }),
        ...(flags.after === undefined ? {} : { after: flags.after }),
        // One more than asked for tells whether there is another page.
        limit: flags.limit + 1,
      };
      const found = await withAdmin(flags, (admin) => admin.outbox.list(filter));
      const list = found.slice(0, flags.limit);
      const last = found.length > flags.limit ? list[list.length - 1]?.seq : undefined;
      const more =
        last === undefined
          ? undefined
          : `more outbox messages after ${last}: run again with --after ${last} for the next ${flags.limit}`;
      if (flags.json) {
        printJson(list.map(outboxSummary));
        if (more !== undefined) console.error(`parley: ${more}`);
        return;
      }
      if (list.length === 0) {
        const what = (flags.status ?? ['failed']).join(' or ');
        return console.log(
          `no ${what} outbox messages${flags.after === undefined ? '' : ` after ${flags.after}`}`,
        );
      }
      console.log(outboxTable(list));
      if (more !== undefined) console.log(`(${list.length} shown; ${more})`);
    });

  backendOptions(outbox.command('show'))
    .description('show one outbox message: its state, the message and why the bus refused it')
    .argument('<seq>', 'outbox seq (from `parley outbox list`)', (v) => positiveInt(v, '<seq>'))
    .action(async (seq: number, flags: BackendFlags) => {
      const entry = await withAdmin(flags, (admin) => admin.outbox.show(seq));
      if (flags.json) printJson(entry);
      else console.log(describeOutboxEntry(entry));
    });

  actorOption(backendOptions(outbox.command('discard')))
    .description('drop a failed outbox message for good: it is never sent (it stays listed as discarded)')
    .argument('<seq>', 'outbox seq', (v) => positiveInt(v, '<seq>'))
    .action(async (seq: number, flags: BackendFlags & ActorFlags) => {
      const entry = await withAdmin(flags, (admin) => admin.outbox.discard(seq, { by: flags.by }));
      if (flags.json) printJson(outboxSummary(entry));
      else console.log(`discarded outbox message ${seq} (${entry.type}, key ${entry.key} to ${entry.topic})`);
    });

  actorOption(backendOptions(outbox.command('retry')))
    .description(
      'put a failed outbox message back in the queue (after fixing its cause, e.g. creating the topic); ' +
        'if the bus still refuses it, it is set aside again',
    )
    .argument('<seq>', 'outbox seq', (v) => positiveInt(v, '<seq>'))
    .action(async (seq: number, flags: BackendFlags & ActorFlags) => {
      const entry = await withAdmin(flags, (admin) => admin.outbox.retry(seq, { by: flags.by }));
      if (flags.json) printJson(outboxSummary(entry));
      else
        console.log(
          `outbox message ${seq} (${entry.type}, key ${entry.key} to ${entry.topic}) is pending again: ` +
            'a running service relays it within a second',
        );
    });
}

function parseStatuses(value: string, previous: OutboxStatus[] | undefined): OutboxStatus[] {
  const statuses = value.split(',').map((s) => s.trim());
  for (const status of statuses) {
    if (!(STATUSES as string[]).includes(status))
      throw new InvalidArgumentError(
        `unknown status ${JSON.stringify(status)}: one of ${STATUSES.join(', ')}`,
      );
  }
  return [...(previous ?? []), ...(statuses as OutboxStatus[])];
}

/** What `outbox list --json` prints per message: its state and the message's fields, without the payload. */
export function outboxSummary(entry: OutboxEntry) {
  return {
    seq: entry.seq,
    status: entry.status,
    topic: entry.topic,
    partition: entry.partition,
    type: entry.type,
    key: entry.key,
    messageId: entry.id,
    occurredAt: entry.occurredAt,
    attempts: entry.attempts,
    error: entry.error?.message ?? null,
    errorCode: entry.error?.code ?? null,
    failedAt: entry.failedAt,
    actedBy: entry.actedBy,
    actedAt: entry.actedAt,
  };
}

function outboxTable(list: ReadonlyArray<OutboxEntry>): string {
  return formatTable<OutboxEntry>(
    [
      { header: 'SEQ', value: (e) => String(e.seq), align: 'right' },
      { header: 'STATUS', value: (e) => e.status },
      { header: 'TOPIC', value: (e) => e.topic, maxWidth: 30 },
      { header: 'PARTITION', value: (e) => String(e.partition), align: 'right' },
      { header: 'TYPE', value: (e) => e.type, maxWidth: 24 },
      { header: 'KEY', value: (e) => e.key, maxWidth: 24 },
      { header: 'ATTEMPTS', value: (e) => String(e.attempts), align: 'right' },
      { header: 'FAILED AT', value: (e) => e.failedAt ?? '' },
      { header: 'ERROR', value: (e) => e.error?.message ?? '', maxWidth: 80 },
    ],
    list,
  );
}

function describeOutboxEntry(entry: OutboxEntry): string {
  const field = (name: string, value: string): string => `  ${name.padEnd(14)}${value}`.trimEnd();
  const block = (text: string): string[] => text.split('\n').map((line) => `    ${line}`);
  let payload: string;
  try {
    payload = prettyJson(JSON.parse(entry.payload));
  } catch {
    payload = entry.payload;
  }
  return [
    `Outbox message ${entry.seq}`,
    field('status', entry.status),
    field('attempts', String(entry.attempts)),
    ...(entry.failedAt === null ? [] : [field('failed at', entry.failedAt)]),
    ...(entry.actedBy === null
      ? []
      : [field('last action', `by ${entry.actedBy} at ${entry.actedAt ?? '?'}`)]),
    '',
    'Message',
    field('id', entry.id),
    field('topic', `${entry.topic} (partition ${entry.partition})`),
    field('type', entry.type),
    field('key', entry.key),
    field('occurred at', entry.occurredAt),
    field('headers', ''),
    ...block(prettyJson(entry.headers)),
    field('payload', ''),
    ...block(payload),
    ...(entry.error === null
      ? []
      : [
          '',
          'Error',
          field('name', entry.error.name),
          ...(entry.error.code === undefined ? [] : [field('code', entry.error.code)]),
          field('message', entry.error.message),
        ]),
  ].join('\n');
}
