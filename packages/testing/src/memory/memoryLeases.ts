import type { LeaseStore } from '@parley/core';
import type { ConnectionGate } from './ConnectionGate.ts';
import type { LeaseTable } from './LeaseTable.ts';

/** The {@link LeaseStore} of one connection on a database's lease table. */
export function memoryLeases(table: LeaseTable, gate: ConnectionGate): LeaseStore {
  return {
    readLeases: (scope) => gate.call(() => table.read(scope)),
    writeLease: (scope, partition, owner, expiresAt, expected) =>
      gate.call(() => table.write(scope, partition, owner, expiresAt, expected)),
    heartbeat: (scope, member, expiresAt, now) =>
      gate.call(() => table.heartbeat(scope, member, expiresAt, now)),
    leave: (scope, member) => gate.call(() => table.leave(scope, member)),
  };
}
