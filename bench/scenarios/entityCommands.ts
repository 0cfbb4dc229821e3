import { createService } from '@parley/core';
import type { BenchBackend } from '../backends.ts';
import { benchAccount } from '../benchModel.ts';
import { round } from '../percentiles.ts';

export interface EntityCommandsResult {
  backend: string;
  mode: 'sequential' | 'concurrent';
  commands: number;
  seconds: number;
  commandsPerSecond: number;
}

/**
 * Direct command execution (`service.execute`): one at a time (a commit each), or `inFlight` at once on
 * different entities (concurrent commands then share commits).
 */
export async function entityCommands(
  backend: BenchBackend,
  options: { commands: number; inFlight: number },
): Promise<EntityCommandsResult> {
  const service = createService({
    name: 'bench-commands',
    store: backend.store,
    bus: backend.bus,
    leases: false,
  }).entity(benchAccount);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < options.commands; i = next++) {
      await service.execute(benchAccount, `account-${i % 1000}`, {
        type: 'Record',
        data: { orderId: `o-${i}`, amount: i },
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    backend: backend.name,
    mode: options.inFlight === 1 ? 'sequential' : 'concurrent',
    commands: options.commands,
    seconds: round(seconds, 3),
    commandsPerSecond: Math.round(options.commands / seconds),
  };
}
