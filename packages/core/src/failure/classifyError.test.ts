import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors/DomainError.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { classifyError } from './classifyError.ts';

class GatewayTimeout extends Error {}

describe('classifyError', () => {
  it('knows domain errors and invalid input, and calls everything else transient', () => {
    expect(classifyError(new DomainError('InsufficientFunds'))).toBe('domain');
    expect(classifyError(new ValidationError('bad'))).toBe('invalid');
    expect(classifyError(new Error('boom'))).toBe('transient');
  });

  it('lets users classify by type or predicate, first match wins', () => {
    const rules = [
      { error: GatewayTimeout, as: 'transient' as const },
      (e: Error) => (e.message.includes('card declined') ? ('domain' as const) : undefined),
    ];
    expect(classifyError(new Error('card declined'), rules)).toBe('domain');
    expect(classifyError(new GatewayTimeout('slow'), rules)).toBe('transient');
    expect(classifyError(new DomainError('X'), [() => 'transient'])).toBe('transient');
  });
});
