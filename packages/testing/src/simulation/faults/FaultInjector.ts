import type { SeededRandom } from '../SeededRandom.ts';
import { FAULT_KINDS, type FaultKind, type FaultRates } from './FaultRates.ts';
import type { ScheduledFault } from './FaultSchedule.ts';

/**
 * Decides, at every place a fault could happen, whether it does: by its rate from a seeded stream, or — replaying
 * — exactly where a schedule says. Every place of a kind is counted (whether the fault happens or not), so a
 * schedule names faults by kind and count. While {@link FaultInjector.active} is false nothing is injected or
 * counted: a simulation heals before it checks its invariants.
 */
export class FaultInjector {
  readonly injected: ScheduledFault[] = [];
  active = true;
  private readonly counts = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));
  private readonly planned: Map<string, ScheduledFault> | undefined;

  constructor(
    private readonly rates: FaultRates,
    private readonly random: SeededRandom,
    replay?: ReadonlyArray<ScheduledFault>,
  ) {
    this.planned = replay === undefined ? undefined : new Map(replay.map((f) => [`${f.kind}@${f.at}`, f]));
  }

  /** Whether `kind` happens here; `amount` draws its size (only when it does, and not when replaying). */
  decide(kind: FaultKind, amount?: (random: SeededRandom) => number): ScheduledFault | undefined {
    if (!this.active) return undefined;
    const at = this.counts.get(kind)!;
    this.counts.set(kind, at + 1);
    let fault: ScheduledFault | undefined;
    if (this.planned !== undefined) {
      fault = this.planned.get(`${kind}@${at}`);
    } else if (this.random.chance(this.rates[kind] ?? 0)) {
      fault = amount === undefined ? { kind, at } : { kind, at, arg: amount(this.random) };
    }
    if (fault !== undefined) this.injected.push(fault);
    return fault;
  }
}
