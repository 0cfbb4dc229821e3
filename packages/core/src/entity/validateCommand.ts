import { ValidationError } from '../errors/ValidationError.ts';
import { validate } from '../schema/validate.ts';
import type { AnyEntity } from './defineEntity.ts';

/** Checks a command against its entity's schema; resolves to the command with the schema's output as data. */
export async function validateCommand(
  entity: AnyEntity,
  command: { type: string; data?: unknown },
): Promise<{ type: string; data: unknown }> {
  const schema = typeof command?.type === 'string' ? entity.commands[command.type] : undefined;
  if (schema === undefined) {
    throw new ValidationError(
      `entity ${entity.name} has no command ${JSON.stringify(command?.type)}; known: ${Object.keys(entity.commands).join(', ')}`,
    );
  }
  const data = await validate(schema, command.data, `${entity.name} command ${command.type}`);
  return { type: command.type, data };
}
