import type { Admin } from '@parley/core';

/** Per consumer, when each parked key's oldest blocking dead letter first failed (ms since the epoch). */
export type ParkedSince = ReadonlyMap<string, ReadonlyMap<string, number>>;

const PAGE = 1000;

/**
 * How long keys have been parked, from the dead letters that hold them (parked or retrying): the admin API lists
 * a consumer's parked keys but not since when.
 */
export async function parkedSince(admin: Admin): Promise<ParkedSince> {
  const since = new Map<string, Map<string, number>>();
  let after: string | undefined;
  for (;;) {
    const page = await admin.deadLetters.list({
      status: ['parked', 'retrying'],
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (const d of page) {
      let keys = since.get(d.consumer);
      if (keys === undefined) since.set(d.consumer, (keys = new Map<string, number>()));
      const at = Date.parse(d.firstFailedAt);
      keys.set(d.message.key, Math.min(at, keys.get(d.message.key) ?? at));
    }
    if (page.length < PAGE) return since;
    after = page[page.length - 1]?.id;
  }
}

/** The age in seconds of the oldest of `keys` (parked keys of `consumer`), or null when none is known. */
export function oldestAgeSeconds(
  since: ParkedSince,
  consumer: string,
  keys: ReadonlyArray<string>,
  now: number,
): number | null {
  const known = since.get(consumer);
  let oldest: number | undefined;
  for (const key of keys) {
    const at = known?.get(key);
    if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
  }
  return oldest === undefined ? null : Math.max(0, (now - oldest) / 1000);
}

/** `93 s`, `4 min 2 s`, `3 h 5 min`, `2 d 4 h`. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
