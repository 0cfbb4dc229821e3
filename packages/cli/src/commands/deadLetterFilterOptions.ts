import { DeadLetterStatus, type DeadLetterFilter, type DeadLetterReason } from '@parley/core';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** The filter options as commander parses them. */
export interface FilterFlags {
  consumer?: string;
  type?: string;
  key?: string;
  status?: DeadLetterStatus[];
  reason?: DeadLetterReason;
  error?: string;
  since?: string;
  until?: string;
}

const STATUSES: ReadonlyArray<string> = Object.values(DeadLetterStatus);

/** Adds the options that narrow a set of dead letters (`list`, and `redrive`/`discard` without an id). */
export function filterOptions(command: Command): Command {
  return command
    .option('--consumer <name>', 'only this consumer', (v) => text(v, '--consumer'))
    .option('--type <type>', 'only this message type', (v) => text(v, '--type'))
    .option('--key <key>', 'only this message key', (v) => text(v, '--key'))
    .option(
      '--status <status>',
      `only these statuses (repeatable or comma-separated: ${STATUSES.join(', ')})`,
      statuses,
    )
    .addOption(new Option('--reason <reason>', 'only this failure reason').choices(['invalid', 'failed']))
    .option('--error <text>', 'only errors whose name or message contains this text', (v) =>
      text(v, '--error'),
    )
    .option('--since <iso>', 'only last failures at or after this time', (v) => isoTime(v, '--since'))
    .option('--until <iso>', 'only last failures at or before this time', (v) => isoTime(v, '--until'));
}

/** The filter the flags describe; absent flags do not narrow. */
export function filterOf(flags: FilterFlags): DeadLetterFilter {
  return {
    ...(flags.consumer === undefined ? {} : { consumer: flags.consumer }),
    ...(flags.type === undefined ? {} : { type: flags.type }),
    ...(flags.key === undefined ? {} : { key: flags.key }),
    ...(flags.status === undefined ? {} : { status: flags.status }),
    ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    ...(flags.error === undefined ? {} : { error: flags.error }),
    ...(flags.since === undefined ? {} : { since: flags.since }),
    ...(flags.until === undefined ? {} : { until: flags.until }),
  };
}

function statuses(value: string, previous: DeadLetterStatus[] | undefined): DeadLetterStatus[] {
  const given = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = given.filter((s) => !STATUSES.includes(s));
  if (given.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown status ${JSON.stringify(unknown[0] ?? value)} (one of ${STATUSES.join(', ')})`,
    );
  }
  return [...(previous ?? []), ...(given as DeadLetterStatus[])];
}

/**
 * A filter's text, never empty: an empty `--error` would match every dead letter, so a bulk redrive or discard
 * given an unset shell variable (`--error "$E"`) would act on all of them.
 */
function text(value: string, flag: string): string {
  if (value === '') throw new InvalidArgumentError(`${flag} must not be empty`);
  return value;
}

function isoTime(value: string, flag: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(`${flag} must be an ISO-8601 time, got ${JSON.stringify(value)}`);
  }
  return new Date(ms).toISOString();
}
