import { ParleyError } from './ParleyError.ts';

/** What a concurrent writer changed under us. */
export type Conflict =
  | { kind: 'stream'; entity: string; entityId: string; expectedVersion: number }
  | { kind: 'command'; commandId: string }
  | { kind: 'checkpoint'; consumer: string; source: string; partition: number; expectedVersion: number }
  | { kind: 'timer'; timerId: string };

const CONCURRENCY_ERROR = Symbol.for('parley.concurrencyError');

/**
 * Raised by a store when a commit lost an optimistic-concurrency race. Nothing of the commit was written;
 * the caller reloads what `conflict` names and tries again.
 */
export class ConcurrencyError extends ParleyError {
  readonly conflict: Conflict;

  constructor(conflict: Conflict, message?: string) {
    super('CONCURRENCY_CONFLICT', message ?? `concurrent write conflict on ${describeConflict(conflict)}`, {
      details: { ...conflict },
    });
    this.name = 'ConcurrencyError';
    this.conflict = conflict;
    Object.defineProperty(this, CONCURRENCY_ERROR, { value: true });
  }
}

export function isConcurrencyError(error: unknown): error is ConcurrencyError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[CONCURRENCY_ERROR] === true
  );
}

function describeConflict(conflict: Conflict): string {
  switch (conflict.kind) {
    case 'stream':
      return `${conflict.entity}/${conflict.entityId} (expected version ${conflict.expectedVersion})`;
    case 'command':
      return `command ${conflict.commandId}`;
    case 'checkpoint':
      return `checkpoint ${conflict.consumer}/${conflict.source}#${conflict.partition}`;
    case 'timer':
      return `timer ${conflict.timerId} (already fired)`;
  }
}
