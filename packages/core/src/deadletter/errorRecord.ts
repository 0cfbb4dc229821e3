import { isParleyError } from '../errors/ParleyError.ts';
import type { ErrorRecord } from '../ports/DeadLetter.ts';

const MAX_STACK = 8000;

/** An error as the dead-letter store keeps it. */
export function errorRecord(error: Error): ErrorRecord {
  const record: { name: string; message: string; stack?: string; code?: string } = {
    name: error.name,
    message: error.message,
  };
  if (error.stack !== undefined) record.stack = error.stack.slice(0, MAX_STACK);
  const code = isParleyError(error) ? error.code : (error as { code?: unknown }).code;
  if (typeof code === 'string') record.code = code;
  return record;
}
