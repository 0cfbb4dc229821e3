import type { DeadLetterRow } from '@parley/sql';

/** The PostgreSQL type of each `dead_letters` column, for the `unnest` casts of multi-row writes. */
export const DEAD_LETTER_COLUMN_TYPES = {
  id: 'text',
  consumer: 'text',
  source: 'text',
  partition: 'int',
  position: 'int8',
  key: 'text',
  message_id: 'text',
  type: 'text',
  status: 'text',
  reason: 'text',
  attempts: 'int',
  error: 'text',
  message: 'text',
  first_failed_at: 'text',
  last_failed_at: 'text',
  action: 'text',
  due_at: 'int8',
  edits: 'text',
  version: 'int',
  updated_at: 'text',
} as const satisfies Record<keyof DeadLetterRow, string>;
