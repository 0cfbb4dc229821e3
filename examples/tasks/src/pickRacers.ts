import { seededRandom } from './seededRandom.ts';

export interface PickRacersOptions {
  /** @default 2 */
  min?: number;
  /** @default 4 */
  max?: number;
}

/**
 * The users who race for a task: between `min` and `max` of `userIds` (never more than there are), chosen from
 * `seed` and the task id alone, so that handling the same `TaskCreated` again picks the same users.
 *
 * @example
 * pickRacers(42, 'task-0007', ['user-01', 'user-02', 'user-03']); // e.g. ['user-03', 'user-01']
 */
export function pickRacers(
  seed: number,
  taskId: string,
  userIds: ReadonlyArray<string>,
  options: PickRacersOptions = {},
): string[] {
  const min = options.min ?? 2;
  const max = options.max ?? 4;
  const random = seededRandom(`${seed}:${taskId}`);
  const count = Math.min(userIds.length, min + Math.floor(random() * (max - min + 1)));
  const pool = [...userIds];
  // A partial Fisher–Yates shuffle: the first `count` slots end up a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, count);
}
