import { InvalidArgumentError } from 'commander';

/** Parses a command-line value as an integer of at least 1, or fails as a usage error naming `flag`. */
export function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
