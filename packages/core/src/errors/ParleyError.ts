const PARLEY_ERROR = Symbol.for('parley.error');

/** Options shared by every Parley error. */
export interface ParleyErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Structured details, kept when the error is recorded (dead letters, replies). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error Parley raises. `code` is stable and machine-readable; the type guards use a
 * global symbol so they work across two copies of the library in one process.
 */
export class ParleyError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.details = options.details;
    Object.defineProperty(this, PARLEY_ERROR, { value: true });
  }
}

/** True for any error raised by Parley, whichever copy of the library created it. */
export function isParleyError(error: unknown): error is ParleyError {
  return (
    typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PARLEY_ERROR] === true
  );
}
