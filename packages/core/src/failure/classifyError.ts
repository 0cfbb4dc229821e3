import { isDomainError } from '../errors/DomainError.ts';
import { isValidationError } from '../errors/ValidationError.ts';

/** How a failure is treated: domain errors are outcomes, transient ones are retried, invalid input never is. */
export const FailureKind = { domain: 'domain', transient: 'transient', invalid: 'invalid' } as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

/**
 * A user rule: an error class (matched with `instanceof`) or a predicate that returns a kind, or undefined to
 * let the next rule decide.
 */
export type ErrorClassifier =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | { readonly error: abstract new (...args: any[]) => Error; readonly as: FailureKind }
  | ((error: Error) => FailureKind | undefined);

/**
 * Classifies an error: user rules first, in order; then `ValidationError` → invalid, `DomainError` → domain;
 * anything else is transient.
 */
export function classifyError(error: Error, classifiers: ReadonlyArray<ErrorClassifier> = []): FailureKind {
  for (const classifier of classifiers) {
    if (typeof classifier === 'function') {
      const kind = classifier(error);
      if (kind !== undefined) return kind;
    } else if (error instanceof classifier.error) {
      return classifier.as;
    }
  }
  if (isValidationError(error)) return 'invalid';
  if (isDomainError(error)) return 'domain';
  return 'transient';
}
