import { systemClock } from '../clock/Clock.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import type { IdleOptions, Service } from './createService.ts';

/** Anything that can say whether it is idle: a service, or a stand-in for one running in another process. */
export type IdleSource = Pick<Service, 'name' | 'checkIdle'>;

/**
 * Resolves once every one of `services` is idle at the same time, twice in a row with nothing moving in between
 * — so a message one of them publishes for another is not missed. Use it in tests and scripts instead of polling
 * stores. A service in another process can take part through a stand-in that asks it over IPC.
 *
 * @throws ParleyError `IDLE_TIMEOUT` naming what is still busy, after `timeoutMs`
 * @example
 * await show.publish(showCommands, reserve);
 * await whenAllIdle([show, wallet]);
 */
export async function whenAllIdle(
  services: ReadonlyArray<IdleSource>,
  options: IdleOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 10;
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + timeoutMs;
  let settled: number | undefined;
  for (;;) {
    const states = await Promise.all(services.map((s) => s.checkIdle()));
    const activity = states.reduce((sum, s) => sum + s.activity, 0);
    if (states.every((s) => s.idle)) {
      if (settled === activity) return;
      settled = activity;
    } else {
      settled = undefined;
    }
    if (clock.now() >= deadline) {
      const busy = services.flatMap((s, i) => (states[i]?.busy ?? []).map((what) => `${s.name}: ${what}`));
      throw new ParleyError(
        'IDLE_TIMEOUT',
        `not idle after ${timeoutMs} ms: ${busy.length > 0 ? busy.join(', ') : 'still moving'}`,
      );
    }
    await clock.sleep(settled === undefined ? pollMs : 1);
  }
}
