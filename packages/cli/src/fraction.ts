import { InvalidArgumentError } from 'commander';

/** Parses a command-line share from 0 to 1, written as a decimal number (`0.05`, `.5`, `1`). */
export function fraction(value: string, flag: string): number {
  // Number('') and Number(' ') are 0, Number('0x1') is 1: only a decimal number is a share.
  const n = /^\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`${flag} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return n;
}
