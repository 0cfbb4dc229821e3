const REJECTION = Symbol.for('parley.rejection');

/** A command refused by an entity: a typed domain error, never an event. */
export interface Rejection<R extends string = string> {
  readonly [REJECTION]: true;
  readonly code: R;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Refuses a command from `decide`. Nothing is appended; the caller (and `replyTo`, when the command came as a
 * message) receives the rejection.
 *
 * @example
 * if (state.balance < cmd.data.amount) return reject('InsufficientFunds', { balance: state.balance });
 */
export function reject<R extends string>(
  code: R,
  details?: Record<string, unknown>,
  message?: string,
): Rejection<R> {
  const rejection = { [REJECTION]: true as const, code, message: message ?? code };
  return details === undefined ? rejection : { ...rejection, details };
}

export function isRejection(value: unknown): value is Rejection {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REJECTION] === true
  );
}
