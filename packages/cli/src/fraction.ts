import { InvalidArgumentError } from 'commander';

/** Parses a command-line share from 0 to 1. */
export function fraction(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`${flag} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return n;
}
