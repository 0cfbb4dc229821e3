import { ParleyError } from './ParleyError.ts';

/** One problem reported by a schema. */
export interface ValidationIssue {
  message: string;
  path?: ReadonlyArray<PropertyKey> | undefined;
}

const VALIDATION_ERROR = Symbol.for('parley.validationError');

/**
 * Input that does not match its schema or cannot be decoded. Never retried: a consumer dead-letters the message
 * with reason `invalid`; a publish or command call rejects it before anything is written.
 */
export class ValidationError extends ParleyError {
  readonly issues: ReadonlyArray<ValidationIssue>;

  constructor(
    message: string,
    issues: ReadonlyArray<ValidationIssue> = [],
    options: { cause?: unknown } = {},
  ) {
    super('INVALID', message, {
      ...options,
      details: { issues: issues.map((i) => ({ message: i.message, path: i.path?.map(String) })) },
    });
    this.name = 'ValidationError';
    this.issues = issues;
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
  }
}

export function isValidationError(error: unknown): error is ValidationError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[VALIDATION_ERROR] === true
  );
}
