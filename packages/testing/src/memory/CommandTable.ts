import { ConcurrencyError, type CommandRecord, type StoredOutcome } from '@parley/core';
import { toJsonText } from './toJsonText.ts';
import type { Transaction } from './Transaction.ts';

interface CommandRow {
  readonly entity: string;
  readonly entityId: string;
  /** JSON text of the outcome. */
  readonly outcome: string;
}

/** Outcomes of committed commands, by command id. */
export class CommandTable {
  private readonly commands = new Map<string, CommandRow>();

  /** Throws a `command` conflict when the id was recorded before (in this commit too). */
  record(tx: Transaction, { commandId, entity, entityId, outcome }: CommandRecord): void {
    const text = toJsonText(outcome, `command ${commandId} outcome`);
    if (this.commands.has(commandId)) throw new ConcurrencyError({ kind: 'command', commandId });
    tx.set(this.commands, commandId, { entity, entityId, outcome: text });
  }

  find(commandId: string): CommandRecord | undefined {
    const row = this.commands.get(commandId);
    if (row === undefined) return undefined;
    return {
      commandId,
      entity: row.entity,
      entityId: row.entityId,
      outcome: JSON.parse(row.outcome) as StoredOutcome,
    };
  }
}
