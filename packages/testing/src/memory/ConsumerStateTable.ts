import type { ConsumerState } from '@parley/core';
import { compareText } from './compareText.ts';
import type { Transaction } from './Transaction.ts';

/** Run states set for consumers (absent: running). */
export class ConsumerStateTable {
  private readonly states = new Map<string, ConsumerState>();

  set(tx: Transaction, { consumer, paused, reason, updatedAt }: ConsumerState): void {
    tx.set(this.states, consumer, { consumer, paused: Boolean(paused), reason, updatedAt });
  }

  /** By consumer. */
  list(): ConsumerState[] {
    return [...this.states.values()]
      .sort((a, b) => compareText(a.consumer, b.consumer))
      .map((state) => ({ ...state }));
  }
}
