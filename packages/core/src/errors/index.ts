export { ParleyError, isParleyError, type ParleyErrorOptions } from './ParleyError.ts';
export { DomainError, isDomainError } from './DomainError.ts';
export { ConcurrencyError, isConcurrencyError, type Conflict } from './ConcurrencyError.ts';
export { ValidationError, isValidationError, type ValidationIssue } from './ValidationError.ts';
export { ensureError } from './ensureError.ts';
