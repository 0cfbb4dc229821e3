import { describe, expect, it } from 'vitest';
import { pickRacers } from './pickRacers.ts';
import { seededRandom } from './seededRandom.ts';

const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);

describe('pickRacers', () => {
  it('picks two to four distinct users, the same ones for the same seed and task', () => {
    for (let i = 0; i < 100; i++) {
      const racers = pickRacers(3, `task-${i}`, users);
      expect(racers.length).toBeGreaterThanOrEqual(2);
      expect(racers.length).toBeLessThanOrEqual(4);
      expect(new Set(racers).size).toBe(racers.length);
      expect(pickRacers(3, `task-${i}`, users)).toEqual(racers);
    }
  });

  it('never picks more users than there are', () => {
    expect(pickRacers(1, 'task-1', ['alice'])).toEqual(['alice']);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(values[0]);
  });
});
