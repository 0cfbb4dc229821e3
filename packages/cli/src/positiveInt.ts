import { InvalidArgumentError } from 'commander';

/**
 * Parses a command-line value as a whole number of at least 1 (decimal digits, up to 2^53 − 1), or fails as a
 * usage error naming `flag`. `1e3`, `0x10` or `  ` are refused: a count is written as digits.
 */
export function positiveInt(value: string, flag: string): number {
  const n = /^\s*\+?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
