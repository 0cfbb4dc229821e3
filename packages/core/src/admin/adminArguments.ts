// What callers of the admin API pass in — the CLI, the console's HTTP routes, scripts in plain JavaScript — is
// checked here before it reaches a store: a bad argument is refused with an error naming it, before anything is
// read or changed. A filter field with a typo is refused too: ignored, it would widen a bulk redrive or discard
// to every dead letter.
import { ParleyError } from '../errors/ParleyError.ts';
import { DeadLetterStatus, type DeadLetterFilter } from '../ports/DeadLetter.ts';
import { OutboxStatus, type OutboxFilter } from '../ports/OutgoingMessage.ts';
import { RunStatus } from '../workflow/Journal.ts';
import type { Actor } from './createAdmin.ts';
import type { WorkflowRunFilter } from './workflowAdmin.ts';

/** The error for a bad argument: code `INVALID_ARGUMENT`, the argument's name in the message and in `details`. */
export function invalidArgument(argument: string, message: string): ParleyError {
  return new ParleyError('INVALID_ARGUMENT', `${argument} ${message}`, { details: { argument } });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
    ?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}

/**
 * A text argument: a string, not empty unless `empty` allows it, without NUL (which PostgreSQL cannot store, so
 * no id, key or name holds one).
 */
export function textArgument(value: unknown, argument: string, options: { empty?: boolean } = {}): string {
  if (typeof value !== 'string') throw invalidArgument(argument, `must be a string, got ${describe(value)}`);
  if (value === '' && options.empty !== true) throw invalidArgument(argument, 'must not be empty');
  if (value.includes('\u0000')) throw invalidArgument(argument, 'must not contain the NUL character');
  return value;
}

/** A count argument: a whole number from 0 (or `min`) up to the largest safe integer. */
export function countArgument(value: unknown, argument: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(argument, `must be an integer of at least ${min}, got ${describe(value)}`);
  }
  return value;
}

/** Who acts: `{ by }` with a name, and optionally a reason (and, for edits, `dryRun`). */
export function actorArgument<A extends Actor & { reason?: string; dryRun?: boolean }>(
  actor: unknown,
  argument = 'actor',
): A {
  const fields = objectArgument(actor, argument, ['by', 'reason', 'dryRun']);
  textArgument(fields.by, `${argument}.by`);
  if (fields.reason !== undefined) textArgument(fields.reason, `${argument}.reason`, { empty: true });
  if (fields.dryRun !== undefined && typeof fields.dryRun !== 'boolean') {
    throw invalidArgument(`${argument}.dryRun`, `must be true or false, got ${describe(fields.dryRun)}`);
  }
  return actor as A;
}

/** A dead-letter filter, with absent fields left out and times as ISO-8601 UTC (how stores compare them). */
export function deadLetterFilterArgument(filter: unknown, argument = 'filter'): DeadLetterFilter {
  const fields = objectArgument(filter ?? {}, argument, [
    'consumer',
    'type',
    'key',
    'status',
    'reason',
    'error',
    'since',
    'until',
    'limit',
    'after',
  ]);
  const out: Record<string, unknown> = {};
  for (const name of ['consumer', 'type', 'key', 'error', 'after'] as const) {
    if (fields[name] !== undefined)
      out[name] = textArgument(fields[name], `${argument}.${name}`, { empty: true });
  }
  if (fields.status !== undefined) {
    out.status = choicesArgument(fields.status, `${argument}.status`, Object.values(DeadLetterStatus));
  }
  if (fields.reason !== undefined) {
    out.reason = choiceArgument(fields.reason, `${argument}.reason`, ['failed', 'invalid']);
  }
  for (const name of ['since', 'until'] as const) {
    if (fields[name] !== undefined) out[name] = timeArgument(fields[name], `${argument}.${name}`);
  }
  if (fields.limit !== undefined) out.limit = countArgument(fields.limit, `${argument}.limit`);
  return out;
}

/** What a dead-letter operation acts on: one id, or every dead letter a filter matches. */
export function deadLetterTargetArgument(target: unknown): string | DeadLetterFilter {
  if (typeof target === 'string') return textArgument(target, 'id');
  // No filter is not "every dead letter": that takes an explicit `{}`.
  if (target === undefined || target === null) {
    throw invalidArgument('filter', `must be an object (or an id), got ${describe(target)}`);
  }
  return deadLetterFilterArgument(target);
}

/** An outbox filter, with absent fields left out. */
export function outboxFilterArgument(filter: unknown, argument = 'filter'): OutboxFilter {
  const fields = objectArgument(filter ?? {}, argument, ['status', 'topic', 'after', 'limit']);
  const out: Record<string, unknown> = {};
  if (fields.status !== undefined) {
    out.status = choicesArgument(fields.status, `${argument}.status`, Object.values(OutboxStatus));
  }
  if (fields.topic !== undefined)
    out.topic = textArgument(fields.topic, `${argument}.topic`, { empty: true });
  if (fields.after !== undefined) out.after = countArgument(fields.after, `${argument}.after`);
  if (fields.limit !== undefined) out.limit = countArgument(fields.limit, `${argument}.limit`);
  return out;
}

/** A workflow-run filter, with absent fields left out. */
export function workflowRunFilterArgument(filter: unknown, argument = 'filter'): WorkflowRunFilter {
  const fields = objectArgument(filter ?? {}, argument, ['workflow', 'status', 'limit', 'after']);
  const out: Record<string, unknown> = {};
  // Any text: a name no workflow has lists nothing.
  if (fields.workflow !== undefined) {
    out.workflow = textArgument(fields.workflow, `${argument}.workflow`, { empty: true });
  }
  if (fields.status !== undefined) {
    out.status = choiceArgument(fields.status, `${argument}.status`, Object.values(RunStatus));
  }
  if (fields.limit !== undefined) out.limit = countArgument(fields.limit, `${argument}.limit`);
  if (fields.after !== undefined)
    out.after = textArgument(fields.after, `${argument}.after`, { empty: true });
  return out;
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * A workflow's name, as `defineWorkflow` allows them. Runs are kept under `<workflow>/<run id>`, so a name with a
 * slash would find another workflow's run.
 */
export function workflowArgument(value: unknown, argument = 'workflow'): string {
  const name = textArgument(value, argument);
  if (!NAME.test(name)) {
    throw invalidArgument(
      argument,
      `must be a workflow name (letters, digits, '.', '_', '-'), got ${describe(name)}`,
    );
  }
  return name;
}

function objectArgument(
  value: unknown,
  argument: string,
  known: ReadonlyArray<string>,
): Readonly<Record<string, unknown>> {
  // A plain object only: a Date, a Map or an array has no own fields and would read as "no narrowing at all".
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(argument, `must be an object, got ${describe(value)}`);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw invalidArgument(argument, `must be a plain object, got ${describe(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw invalidArgument(
      argument,
      `has an unknown field ${JSON.stringify(unknown[0])} (known: ${known.join(', ')})`,
    );
  }
  // Only own fields count: a filter never inherits a narrowing (or a widening) from its prototype.
  return Object.fromEntries(
    known
      .filter((key) => Object.hasOwn(value, key))
      .map((key) => [key, (value as Record<string, unknown>)[key]]),
  );
}

function choiceArgument<T extends string>(value: unknown, argument: string, choices: ReadonlyArray<T>): T {
  if (typeof value !== 'string' || !(choices as ReadonlyArray<string>).includes(value)) {
    throw invalidArgument(argument, `must be one of ${choices.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function choicesArgument<T extends string>(
  value: unknown,
  argument: string,
  choices: ReadonlyArray<T>,
): T | T[] {
  if (!Array.isArray(value)) return choiceArgument(value, argument, choices);
  return value.map((one, i) => choiceArgument(one, `${argument}[${i}]`, choices));
}

function timeArgument(value: unknown, argument: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw invalidArgument(argument, `must be an ISO-8601 time, got ${describe(value)}`);
  return new Date(ms).toISOString();
}
