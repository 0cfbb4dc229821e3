import { seededRandom } from '../random.ts';
import type { CinemaProcesses, CinemaProcessName } from './startProcesses.ts';

/** SIGKILLs of the demo's service processes at seeded random moments while the story runs. */
export interface KillStormOptions {
  /** How many processes to kill, one after another. */
  kills: number;
  /** Which services' processes may be killed. @default ['wallet', 'show'] */
  services?: ReadonlyArray<CinemaProcessName>;
  /** Seed of the moments and of the victims. @default the demo's seed */
  seed?: number;
  /**
   * The pause before each kill, drawn uniformly between these bounds, in milliseconds. It starts when the run
   * starts sending, then when the previous victim's new process has started.
   * @default [200, 2000]
   */
  pauseMs?: readonly [number, number];
}

/** One kill of a storm. */
export interface ProcessKill {
  /** `show-1`, `wallet-2`, … */
  process: string;
  /** Milliseconds since the storm began. */
  atMs: number;
  /** How long the new process took to start its service. */
  restartMs: number;
}

/** A storm under way. */
export interface KillStorm {
  /** Resolves when every kill has been made and every victim runs again; rejects if one failed to restart. */
  readonly finished: Promise<ReadonlyArray<ProcessKill>>;
  /** The kills made so far. */
  readonly kills: ReadonlyArray<ProcessKill>;
  /** Makes no further kill and waits for the one under way, if any. */
  stop(): Promise<void>;
}

/**
 * Starts a kill storm: after a seeded random pause, SIGKILLs a seeded random process of one of `services`, starts
 * it again, and repeats until `kills` processes have died. One kill at a time, so every service keeps running
 * while another restarts, as after a crash in production.
 */
export function startKillStorm(
  processes: CinemaProcesses,
  options: KillStormOptions & { seed: number },
): KillStorm {
  const services = options.services ?? ['wallet', 'show'];
  const [minPause, maxPause] = options.pauseMs ?? [200, 2000];
  if (!Number.isInteger(options.kills) || options.kills < 0) {
    throw new RangeError(`killStorm.kills must be a whole number ≥ 0, got ${options.kills}`);
  }
  if (services.length === 0) throw new RangeError('killStorm.services must name at least one service');
  if (!(minPause >= 0 && maxPause >= minPause)) {
    throw new RangeError(
      `killStorm.pauseMs must be [min, max] with 0 ≤ min ≤ max, got [${minPause}, ${maxPause}]`,
    );
  }
  const random = seededRandom(options.seed);
  const began = Date.now();
  const kills: ProcessKill[] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  const finished = (async () => {
    while (kills.length < options.kills && !stopped) {
      const pause = minPause + random() * (maxPause - minPause);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (stopped) break;
      const name = services[Math.floor(random() * services.length)]!;
      const index = Math.floor(random() * processes.instances(name));
      const atMs = Date.now() - began;
      await processes.killAndRestart(name, index);
      kills.push({ process: `${name}-${index + 1}`, atMs, restartMs: Date.now() - began - atMs });
    }
    return kills;
  })();
  // Awaited by whoever reads the result; a failure here is not an unhandled rejection meanwhile.
  finished.catch(() => {});
  return {
    finished,
    kills,
    async stop() {
      stopped = true;
      wake?.();
      await finished.catch(() => {});
    },
  };
}
