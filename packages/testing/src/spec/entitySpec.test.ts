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

describe('entitySpec, chained and with schemas', () => {
  it('decides commands one after the other; the assertions are about the last', () => {
    const spec = entitySpec(account).given([{ type: 'Deposited', data: { amount: 999_000 } }]);
    spec
      .when({ type: 'Deposit', data: { amount: 500 } })
      .when({ type: 'Deposit', data: { amount: 400 } })
      .thenState({ balance: 999_900, deposits: 3, seen: [] });
    spec
      .when({ type: 'Deposit', data: { amount: 500 } })
      .when({ type: 'Deposit', data: { amount: 600 } })
      .thenRejects('LimitExceeded', { balance: 999_500 });
    expect(() =>
      spec
        .when({ type: 'Deposit', data: { amount: 5000 } })
        .when({ type: 'Deposit', data: { amount: 1 } })
        .then([]),
    ).toThrow(/command 1 \(Deposit\) was rejected with LimitExceeded; only the last may be/);
  });

  it('checks commands and events against the schemas when asked, and not otherwise', () => {
    const bad = { type: 'Deposit', data: { amount: -5 } } as const;
    expect(() => entitySpec(account, { schemas: true }).given([]).when(bad).then([])).toThrow(
      /conformance-account command Deposit/,
    );
    expect(() =>
      entitySpec(account, { schemas: true })
        .given([{ type: 'Deposited', data: { amount: 'ten' as never } }])
        .when({ type: 'Deposit', data: { amount: 1 } })
        .then([]),
    ).toThrow(/conformance-account event Deposited/);
    // Without schema checks the spec exercises decide alone.
    entitySpec(account)
      .given([])
      .when(bad)
      .then([{ type: 'Deposited', data: { amount: -5 } }]);
  });
});
