import { describe, expect, it } from 'vitest';
import { account } from '../conformance/fixtures.ts';
import { entitySpec } from './entitySpec.ts';

describe('entitySpec', () => {
  it('passes when decide produces the expected events, state or rejection', () => {
    const spec = entitySpec(account).given([{ type: 'Deposited', data: { amount: 999_990 } }]);
    spec.when({ type: 'Deposit', data: { amount: 5 } }).then([{ type: 'Deposited', data: { amount: 5 } }]);
    spec
      .when({ type: 'Deposit', data: { amount: 5 } })
      .thenState({ balance: 999_995, deposits: 2, seen: [] });
    spec.when({ type: 'Deposit', data: { amount: 50 } }).thenRejects('LimitExceeded', { balance: 999_990 });
  });

  it('fails with a readable message when the outcome differs', () => {
    const spec = entitySpec(account).given([]);
    expect(() => spec.when({ type: 'Deposit', data: { amount: 5 } }).thenRejects('LimitExceeded')).toThrow(
      /expected rejection LimitExceeded, got events/,
    );
    expect(() =>
      spec.when({ type: 'Deposit', data: { amount: 5 } }).then([{ type: 'Deposited', data: { amount: 6 } }]),
    ).toThrow();
  });
});
