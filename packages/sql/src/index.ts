export { DEAD_LETTER_COLUMNS, toDeadLetter, toDeadLetterRow, type DeadLetterRow } from './deadLetterRow.ts';
export { checkLimit } from './checkLimit.ts';
export { EVENT_COLUMNS, toStoredEvent, type EventRow } from './eventRow.ts';
export { toDueAt } from './toDueAt.ts';
export { toJsonText } from './toJsonText.ts';
export { loadMigrations, type Migration } from './loadMigrations.ts';
export {
  OUTBOX_COLUMNS,
  outboxStatuses,
  toOutboxEntry,
  toOutboxRecord,
  type OutboxRow,
  type OutboxMessageRow,
} from './outboxRow.ts';
export {
  SAMPLE_COLUMNS,
  checkSamples,
  toConsumerSample,
  type ConsumerSampleRow,
} from './consumerSampleRow.ts';
export { MESSAGE_COLUMNS, toLogRecord, type MessageRow } from './messageRow.ts';
