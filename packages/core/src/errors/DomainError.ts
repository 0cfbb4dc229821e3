import { ParleyError } from './ParleyError.ts';

const DOMAIN_ERROR = Symbol.for('parley.domainError');

/**
 * An expected business failure (for example insufficient funds). It is never retried: an entity returns it as
 * a rejection, a consumer handler throws it to signal an outcome, and replies carry it back to the sender.
 *
 * @example
 * throw new DomainError('InsufficientFunds', 'balance 5 is below 10', { details: { balance: 5 } });
 */
export class DomainError extends ParleyError {
  constructor(
    code: string,
    message?: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message ?? code, options);
    this.name = 'DomainError';
    Object.defineProperty(this, DOMAIN_ERROR, { value: true });
  }
}

/** True for a {@link DomainError} from any copy of the library. */
export function isDomainError(error: unknown): error is DomainError {
  return (
    typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[DOMAIN_ERROR] === true
  );
}
