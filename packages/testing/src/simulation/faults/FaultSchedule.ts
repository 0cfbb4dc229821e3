import { FAULT_KINDS, type FaultKind } from './FaultRates.ts';

/**
 * One injected fault: the `at`-th place of its kind where it could happen (counted from 0 in the run), and the
 * amount it was drawn with (an outage's length, a delay, a jump), if any.
 */
export interface ScheduledFault {
  readonly kind: FaultKind;
  readonly at: number;
  readonly arg?: number;
}

/** `crashAfterCommit@12,storeOutage@40:350`: a schedule as one argument of a command line. */
export function formatSchedule(schedule: ReadonlyArray<ScheduledFault>): string {
  return schedule.map((f) => `${f.kind}@${f.at}${f.arg === undefined ? '' : `:${f.arg}`}`).join(',');
}

/** @throws TypeError on anything {@link formatSchedule} does not write */
export function parseSchedule(text: string): ScheduledFault[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const match = /^([A-Za-z]+)@(\d+)(?::(-?\d+(?:\.\d+)?))?$/.exec(part.trim());
    if (match === null || !(FAULT_KINDS as ReadonlyArray<string>).includes(match[1]!))
      throw new TypeError(`not a scheduled fault (kind@n or kind@n:amount): ${JSON.stringify(part)}`);
    const fault: ScheduledFault = { kind: match[1] as FaultKind, at: Number(match[2]) };
    return match[3] === undefined ? fault : { ...fault, arg: Number(match[3]) };
  });
}

/** A seed and the faults to inject, as `PARLEY_SIMULATE_REPLAY` and `--replay` take them: `17/crashAfterCommit@12`. */
export function formatReplay(seed: number, schedule: ReadonlyArray<ScheduledFault>): string {
  return `${seed}/${formatSchedule(schedule)}`;
}

/** @throws TypeError when it is not `<seed>/<schedule>` */
export function parseReplay(text: string): { seed: number; schedule: ScheduledFault[] } {
  const slash = text.indexOf('/');
  const seed = Number(slash < 0 ? text : text.slice(0, slash));
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new TypeError(
      `a replay is <seed>/<faults>, e.g. 17/crashAfterCommit@12; got ${JSON.stringify(text)}`,
    );
  return { seed, schedule: slash < 0 ? [] : parseSchedule(text.slice(slash + 1)) };
}
