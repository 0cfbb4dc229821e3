// Test support for the module tests: stores and buses on fresh schemas, closed after each test, and builders.
import {
  emptyChange,
  isConcurrencyError,
  newMessageId,
  type Change,
  type DeadLetter,
  type NewEvent,
  type OutgoingMessage,
  type ParkedMessage,
  type Store,
} from '@parley/core';
import { afterEach, expect } from 'vitest';
import { createPostgresBus, type PostgresBus } from '../createPostgresBus.ts';
import { createPostgresStore, type PostgresStoreOptions } from '../createPostgresStore.ts';
import { testPoolSize, testUrl, useSchemas } from './postgresTestDatabase.ts';

/** Call at the top of a `describePostgres` block: fresh schemas, and everything opened is closed after each test. */
export function useTestKit() {
  const schemas = useSchemas();
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((resource) => resource.close()));
  });
  return {
    newSchema: () => schemas.next(),
    openStore(schema: string, options: PostgresStoreOptions = {}): Store {
      const store = createPostgresStore(testUrl, { schema, poolSize: testPoolSize, ...options });
      opened.push(store);
      return store;
    },
    openBus(schema: string, poolSize = testPoolSize): PostgresBus {
      const bus = createPostgresBus(testUrl, { schema, poolSize });
      opened.push(bus);
      return bus;
    },
  };
}

export function change(parts: Partial<Change>): Change {
  return { ...emptyChange, ...parts };
}

export function event(type: string, data: unknown = {}): NewEvent {
  return {
    id: newMessageId(),
    type,
    data,
    metadata: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

export function outgoing(
  topic: string,
  partition = 0,
  fields: Partial<OutgoingMessage> = {},
): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type: 'SeatReserved',
    key: 'show-1',
    payload: '{"seat":"A1"}',
    headers: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

export function parked(fields: Partial<ParkedMessage> = {}): ParkedMessage {
  return {
    id: newMessageId(),
    type: 'OrderPlaced',
    key: 'k1',
    payload: '{"amount":10}',
    headers: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
    source: 'orders',
    partition: 0,
    position: 1,
    ...fields,
  };
}

export function deadLetter(
  id: string,
  fields: Partial<Omit<DeadLetter, 'message'>> & { message?: Partial<ParkedMessage> } = {},
): DeadLetter {
  const { message, ...rest } = fields;
  return {
    id,
    consumer: 'billing',
    message: parked({ id: `m-${id}`, ...message }),
    status: 'parked',
    reason: 'failed',
    attempts: 1,
    error: { name: 'Error', message: 'boom' },
    firstFailedAt: '2025-01-01T00:00:00.000Z',
    lastFailedAt: '2025-01-01T00:00:00.000Z',
    action: null,
    dueAt: null,
    edits: [],
    version: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...rest,
  };
}

/** The conflict a commit failed with; fails the test unless it is a `ConcurrencyError`. */
export async function conflictOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isConcurrencyError(error)).toBe(true);
  return (error as { conflict: unknown }).conflict;
}
