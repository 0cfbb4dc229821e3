import { toJsonText } from '@parley/sql';
import { ConcurrencyError, type CommandRecord } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Records command outcomes in one INSERT. A command id already recorded — committed by someone else, or repeated
 * in `commands` — inserts nothing and is reported as a `command` conflict (the first one, in the order given).
 */
export async function recordCommands(
  db: Queryable,
  s: string,
  commands: ReadonlyArray<CommandRecord>,
): Promise<void> {
  if (commands.length === 0) return;
  const outcomes = commands.map(({ commandId, outcome }) =>
    toJsonText(outcome, () => `command ${commandId} outcome`),
  );
  const { rows } = await db.query<{ command_id: string }>(
    `INSERT INTO ${s}.commands (command_id, entity, entity_id, outcome)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (command_id) DO NOTHING
     RETURNING command_id`,
    [
      commands.map((command) => command.commandId),
      commands.map((command) => command.entity),
      commands.map((command) => command.entityId),
      outcomes,
    ],
  );
  if (rows.length === commands.length) return;
  const inserted = new Map<string, number>();
  for (const { command_id } of rows) inserted.set(command_id, (inserted.get(command_id) ?? 0) + 1);
  for (const { commandId } of commands) {
    const left = inserted.get(commandId) ?? 0;
    if (left === 0) throw new ConcurrencyError({ kind: 'command', commandId });
    inserted.set(commandId, left - 1);
  }
}
