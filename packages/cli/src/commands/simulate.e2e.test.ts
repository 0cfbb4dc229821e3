import { describe, it } from 'vitest';
import { runCli } from '../fixtures/runCli.ts';

interface Summary {
  story: string;
  seeds: number;
  messages: number;
  faults: number;
  invariantsChecked: number;
  failed: Array<{ seed: number; violations: string[]; replay: string }>;
}

const TIMEOUT = 600_000;

describe('parley simulate', () => {
  for (const [story, size, ...flags] of [
    ['cinema', '16'],
    ['cinema', '12', '--orchestrated'],
    ['tasks', '12'],
  ] as const) {
    it.concurrent(
      `runs three hundred seeds of the ${story} story ${flags.join(' ')} under every fault, and every invariant holds`,
      async ({ expect }) => {
        const { stdout, code } = await runCli([
          'simulate',
          story,
          ...flags,
          '--seeds',
          '300',
          '--size',
          size,
          '--json',
        ]);
        const summary = JSON.parse(stdout) as Summary;
        expect(summary.failed).toEqual([]);
        expect(code).toBe(0);
        expect(summary).toMatchObject({ story, seeds: 300, invariantsChecked: 900 });
        expect(summary.faults).toBeGreaterThan(300);
        expect(summary.messages).toBeGreaterThan(300 * Number(size) * 3);
      },
      TIMEOUT,
    );
  }

  it.concurrent(
    'finds the bug planted in a copy of the engine, prints the command that replays it, and the replay fails alike',
    async ({ expect }) => {
      const found = await runCli([
        'simulate',
        'cinema',
        '--plant-bug',
        '--faults',
        'crashAfterCommit=0.05',
        '--seeds',
        '60',
        '--size',
        '16',
      ]);
      expect(found.code).toBe(1);
      const failure =
        /^seed (\d+) failed: (.*)\n {2}replay: parley simulate cinema (.*) --replay '([^']+)'$/m.exec(
          found.stdout,
        );
      expect(failure, found.stdout).not.toBeNull();
      const [, seed, violations, flags, replay] = failure!;
      expect(flags).toBe("--faults 'crashAfterCommit=0.05' --size 16 --plant-bug");
      expect(replay).toMatch(new RegExp(`^${seed}/crashAfterCommit@\\d+(,crashAfterCommit@\\d+)*$`));
      const again = await runCli([
        'simulate',
        'cinema',
        '--faults',
        'crashAfterCommit=0.05',
        '--size',
        '16',
        '--plant-bug',
        '--replay',
        replay!,
      ]);
      expect(again.code).toBe(1);
      expect(again.stdout).toContain(`seed ${seed} failed: ${violations}`);
      // The same seed and faults on the real engine: nothing is lost.
      const real = await runCli([
        'simulate',
        'cinema',
        '--faults',
        'crashAfterCommit=0.05',
        '--size',
        '16',
        '--replay',
        replay!,
      ]);
      expect(real.code, real.stdout).toBe(0);
    },
    TIMEOUT,
  );

  it.concurrent('refuses an unknown story or fault with a clear error', async ({ expect }) => {
    const story = await runCli(['simulate', 'shop']);
    expect(story.code).toBe(1);
    expect(story.stderr).toContain('the story is cinema or tasks, got "shop"');
    const fault = await runCli(['simulate', 'tasks', '--faults', 'crashes']);
    expect(fault.code).toBe(1);
    expect(fault.stderr).toContain('unknown fault "crashes"');
  });
});
