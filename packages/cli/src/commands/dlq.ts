import {
  deadLetterKind,
  type Admin,
  type BulkResult,
  type DeadLetter,
  type DeadLetterFilter,
} from '@parley/core';
import type { Command } from 'commander';
import { formatTable } from '../formatTable.ts';
import { positiveInt } from '../positiveInt.ts';
import {
  actorOption,
  backendOptions,
  printJson,
  withAdmin,
  type ActorFlags,
  type BackendFlags,
} from './adminOptions.ts';
import { filterOf, filterOptions, type FilterFlags } from './deadLetterFilterOptions.ts';
import { deadLetterSummary, describeDeadLetter } from './describeDeadLetter.ts';
import { registerDlqEdit } from './dlqEdit.ts';

type ListFlags = BackendFlags & FilterFlags & { limit: number; after?: string };
type BulkFlags = BackendFlags & FilterFlags & ActorFlags & { all?: boolean };

/** `parley dlq …`: list, inspect and act on dead letters. */
export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect and handle dead letters (failed messages)');

  filterOptions(backendOptions(dlq.command('list')))
    .description(
      'list dead letters, oldest first, a page at a time: when there are more, it says so and how to get them',
    )
    .option('--limit <n>', 'at most this many (one page)', (v) => positiveInt(v, '--limit'), 100)
    .option('--after <id>', 'only ids after this one: the last id of the previous page')
    .action(async (flags: ListFlags) => {
      const filter: DeadLetterFilter = {
        ...filterOf(flags),
        // One more than asked for tells whether there is another page.
        limit: flags.limit + 1,
        ...(flags.after === undefined ? {} : { after: flags.after }),
      };
      const found = await withAdmin(flags, (admin) => admin.deadLetters.list(filter));
      const list = found.slice(0, flags.limit);
      const last = found.length > flags.limit ? list[list.length - 1]?.id : undefined;
      const more =
        last === undefined
          ? undefined
          : `more dead letters after ${last}: run again with --after ${last} for the next ${flags.limit}`;
      if (flags.json) {
        printJson(list.map(deadLetterSummary));
        // stdout stays one JSON array; the hint goes to stderr.
        if (more !== undefined) console.error(`parley: ${more}`);
        return;
      }
      if (list.length === 0) {
        return console.log(
          flags.after === undefined ? 'no dead letters' : `no dead letters after ${flags.after}`,
        );
      }
      console.log(deadLetterTable(list));
      if (more !== undefined) console.log(`(${list.length} shown; ${more})`);
    });

  backendOptions(dlq.command('show'))
    .description('show one dead letter: message, error and edits')
    .argument('<id>', 'dead letter id')
    .action(async (id: string, flags: BackendFlags) => {
      const deadLetter = await withAdmin(flags, (admin) => admin.deadLetters.show(id));
      if (flags.json) printJson(deadLetter);
      else console.log(describeDeadLetter(deadLetter));
    });

  bulkCommand(dlq, 'redrive', {
    description:
      'handle dead letters again: one by id, or every parked/retrying one matching filters or --all ' +
      '(escalated or skipped ones with --status: replayed on their own, their key having gone on)',
    act: (admin, target, actor) => admin.deadLetters.redrive(target, actor),
    done: 'redriven',
    refused: 'cannot be redriven',
    already: 'already redriven, not handled yet',
  });

  registerDlqEdit(dlq);

  actorOption(backendOptions(dlq.command('skip')))
    .description('drop the message at the head of a parked key, so the key moves on')
    .argument('<consumer>', 'consumer name')
    .argument('<key>', 'message key')
    .action(async (consumer: string, key: string, flags: BackendFlags & ActorFlags) => {
      const skipped = await withAdmin(flags, (admin) =>
        admin.deadLetters.skipHead(consumer, key, { by: flags.by }),
      );
      if (flags.json) printJson(deadLetterSummary(skipped));
      else
        console.log(
          `skipped ${skipped.id} (${skipped.message.type} at the head of key ${key}): ${skipped.status}`,
        );
    });

  bulkCommand(dlq, 'discard', {
    description:
      'drop dead letters for good: one by id, or every parked/retrying one matching filters or --all',
    act: (admin, target, actor) => admin.deadLetters.discard(target, actor),
    done: 'discarded',
    refused: 'in no queue, cannot be discarded',
    already: 'already discarded',
  });
}

/**
 * `redrive` and `discard`: one id, or a filter, never nothing by accident. Says what it did and what it matched
 * but left alone, by reason; fails (exit code 1) when it changed nothing and something it matched cannot take
 * the operation. Dead letters that others changed meanwhile are left alone and counted, not an error.
 */
function bulkCommand(
  dlq: Command,
  name: string,
  spec: {
    description: string;
    act: (admin: Admin, target: string | DeadLetterFilter, actor: ActorFlags) => Promise<BulkResult>;
    done: DeadLetter['status'];
    /** How a dead letter the operation does not apply to is described. */
    refused: string;
    already: string;
  },
): void {
  filterOptions(actorOption(backendOptions(dlq.command(name))))
    .description(spec.description)
    .argument('[id]', 'dead letter id')
    .option('--all', 'every parked or retrying dead letter (narrowed by any filter given)')
    .action(async (id: string | undefined, flags: BulkFlags, command: Command) => {
      const filter = filterOf(flags);
      const filtered = Object.keys(filter).length > 0;
      if (id !== undefined && (filtered || flags.all === true)) {
        command.error(`error: give either an id or --all/filters to ${name}, not both`);
      }
      if (id === undefined && !filtered && flags.all !== true) {
        command.error(`error: ${name} what? Give a dead letter id, filters (--consumer, --type, …) or --all`);
      }
      const result = await withAdmin(flags, (admin) => spec.act(admin, id ?? filter, { by: flags.by }));
      const ids = result.changed.map((d) => d.id);
      const refused = result.untouchedBy['not-applicable'] ?? 0;
      if (ids.length === 0 && refused > 0) process.exitCode = 1;
      if (flags.json) {
        return printJson({
          [spec.done]: ids.length,
          ids,
          untouched: result.untouched.length,
          untouchedBy: result.untouchedBy,
          untouchedIds: result.untouched,
        });
      }
      console.log(`${spec.done} ${ids.length} dead letter${ids.length === 1 ? '' : 's'}`);
      if (ids.length > 0 && ids.length <= 20) console.log(ids.map((i) => `  ${i}`).join('\n'));
      if (result.untouched.length > 0) console.log(untouchedLine(result, spec));
    });
}

/** E.g. `left alone 3: 2 cannot be redriven (discarded 2), 1 changed by someone else meanwhile`. */
function untouchedLine(result: BulkResult, spec: { refused: string; already: string }): string {
  const parts: string[] = [];
  const by = result.untouchedBy;
  if (by.already) parts.push(`${by.already} ${spec.already}`);
  if (by['not-applicable']) {
    const statuses = new Map<string, number>();
    for (const u of result.untouched)
      if (u.reason === 'not-applicable')
        statuses.set(String(u.status), (statuses.get(String(u.status)) ?? 0) + 1);
    const detail = [...statuses].map(([status, n]) => `${status} ${n}`).join(', ');
    parts.push(`${by['not-applicable']} ${spec.refused} (${detail})`);
  }
  if (by.changed) parts.push(`${by.changed} changed by someone else meanwhile`);
  if (by.gone) parts.push(`${by.gone} gone meanwhile (recovered on a retry)`);
  return `left alone ${result.untouched.length}: ${parts.join(', ')}`;
}

function typeOf(deadLetter: DeadLetter): string {
  const kind = deadLetterKind(deadLetter);
  return kind.kind === 'workflow' ? kind.workflow : deadLetter.message.type;
}

function deadLetterTable(list: ReadonlyArray<DeadLetter>): string {
  return formatTable<DeadLetter>(
    [
      { header: 'ID', value: (d) => d.id },
      { header: 'KIND', value: (d) => deadLetterKind(d).kind },
      { header: 'CONSUMER', value: (d) => d.consumer, maxWidth: 30 },
      { header: 'KEY', value: (d) => d.message.key, maxWidth: 24 },
      // A parked workflow run shows its workflow: `parley workflows show <workflow> <key>` tells more.
      { header: 'TYPE', value: (d) => typeOf(d), maxWidth: 24 },
      { header: 'STATUS', value: (d) => d.status },
      { header: 'ATTEMPTS', value: (d) => String(d.attempts), align: 'right' },
      { header: 'LAST FAILED', value: (d) => d.lastFailedAt },
      { header: 'ERROR', value: (d) => d.error.message, maxWidth: 60 },
    ],
    list,
  );
}
