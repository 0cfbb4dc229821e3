import { ParleyError } from '../errors/ParleyError.ts';

/** When a scheduled message is due: at a moment, or after a delay. Exactly one of the two. */
export type ScheduleOptions = { at: Date | number; after?: never } | { after: number; at?: never };

/** The due time in ms since the epoch. */
export function dueTime(options: ScheduleOptions, now: number): number {
  if (options.at !== undefined) {
    const at = typeof options.at === 'number' ? options.at : options.at.getTime();
    if (!Number.isFinite(at)) throw new ParleyError('INVALID_SCHEDULE', `schedule: 'at' is not a valid time`);
    return at;
  }
  if (typeof options.after !== 'number' || !Number.isFinite(options.after) || options.after < 0) {
    throw new ParleyError('INVALID_SCHEDULE', `schedule: 'after' must be a delay in ms >= 0`);
  }
  return now + options.after;
}
