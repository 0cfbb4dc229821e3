export interface WaitUntilOptions {
  /** Gives up after this long. */
  timeoutMs: number;
  /** @default 20 */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns true or `timeoutMs` has passed; resolves to whether it held. Polling reads
 * the stores as an observer would, so the demo needs no hook into Parley's internals.
 *
 * @example
 * const settled = await waitUntil(async () => (await tasks.load(task, 'task-1')).state.status === 'done', {
 *   timeoutMs: 5000,
 * });
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: WaitUntilOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
