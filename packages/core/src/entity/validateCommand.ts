import { ownEntry } from '../schema/ownEntry.ts';
import { andThen } from '../concurrency/andThen.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { validate, type SchemaMap } from '../schema/validate.ts';
import type { AnyEntity } from './defineEntity.ts';

/**
 * Checks a command against its entity's schema and returns the command with the schema's output as data: at
 * once for a synchronous schema, as a promise for an asynchronous one.
 */
export function validateCommand(
  entity: AnyEntity,
  command: { type: string; data?: unknown },
): { type: string; data: unknown } | Promise<{ type: string; data: unknown }> {
  const commands = entity.commands as SchemaMap;
  const schema = typeof command?.type === 'string' ? ownEntry(commands, command.type) : undefined;
  if (schema === undefined) {
    throw new ValidationError(
      `entity ${entity.name} has no command ${JSON.stringify(command?.type)}; known: ${Object.keys(commands).join(', ')}`,
    );
  }
  return andThen(
    validate(schema, command.data, () => `${entity.name} command ${command.type}`),
    (data) => ({
      type: command.type,
      data,
    }),
  );
}
