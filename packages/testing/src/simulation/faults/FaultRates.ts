/**
 * Faults a simulation injects, each with the chance it happens where it can (a rate in [0, 1]); a fault left out
 * (or 0) never happens. Store and bus calls always take a seeded latency of 0–2 ms, so keys interleave differently
 * from seed to seed even with every fault off.
 */
export interface FaultRates {
  /** Per publish: the relay's batch reaches the bus twice (the bus must drop the copies). */
  readonly duplicates?: number;
  /** Per store or bus call: it takes 5–50 ms instead, so messages of other keys overtake it (never within a key). */
  readonly reorder?: number;
  /** Per commit: the process dies right after the commit took effect, before it hears back. */
  readonly crashAfterCommit?: number;
  /** Per commit: the commit takes effect but the caller sees a connection error (its outcome is unknown). */
  readonly unknownCommit?: number;
  /** Per store call: the store becomes unreachable for 50–2,000 ms; every call fails until it is back. */
  readonly storeOutage?: number;
  /** Per bus call: the bus becomes unreachable for 50–2,000 ms. */
  readonly busOutage?: number;
  /** Per store read a handler makes (streams, documents, commands): it takes 100–3,000 ms. */
  readonly slowHandlers?: number;
  /** Per timer: it fires 1–500 ms late. */
  readonly lateTimers?: number;
  /** Per scheduler step: the wall clock jumps forward 1–60 s or back 1–5 s (timers keep their due times). */
  readonly clockJumps?: number;
  /** Per scheduler step: one service stops as it would on a deploy and starts again. */
  readonly restarts?: number;
}

export type FaultKind = keyof FaultRates;

export const FAULT_KINDS: ReadonlyArray<FaultKind> = [
  'duplicates',
  'reorder',
  'crashAfterCommit',
  'unknownCommit',
  'storeOutage',
  'busOutage',
  'slowHandlers',
  'lateTimers',
  'clockJumps',
  'restarts',
];

/** Rates that inject every fault now and then: what `--faults all` means. */
export const ALL_FAULTS: Required<FaultRates> = {
  duplicates: 0.05,
  reorder: 0.02,
  crashAfterCommit: 0.003,
  unknownCommit: 0.003,
  storeOutage: 0.0005,
  busOutage: 0.0005,
  slowHandlers: 0.01,
  lateTimers: 0.01,
  clockJumps: 0.0002,
  restarts: 0.0002,
};

/**
 * Reads a fault list as a user writes it: `all`, `none`, or kinds separated by commas, each with an optional rate
 * (`crashAfterCommit,duplicates=0.2`); a kind without a rate takes its rate from {@link ALL_FAULTS}.
 *
 * @throws TypeError naming the unknown kind or the bad rate
 */
export function parseFaults(text: string): FaultRates {
  const trimmed = text.trim();
  if (trimmed === 'all') return { ...ALL_FAULTS };
  if (trimmed === 'none' || trimmed === '') return {};
  const rates: Record<string, number> = {};
  for (const part of trimmed.split(',')) {
    const [name = '', rate] = part.split('=').map((s) => s.trim());
    if (!(FAULT_KINDS as ReadonlyArray<string>).includes(name))
      throw new TypeError(
        `unknown fault ${JSON.stringify(name)}; known: all, none, ${FAULT_KINDS.join(', ')}`,
      );
    const kind = name as FaultKind;
    const value = rate === undefined ? ALL_FAULTS[kind] : Number(rate);
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new TypeError(`the rate of ${kind} must be a number from 0 to 1, got ${JSON.stringify(rate)}`);
    rates[kind] = value;
  }
  return rates;
}
