/** p50, p99 and p99.9 of a list of latencies in ms (sorted in place). */
export function percentiles(values: number[]): { p50: number; p99: number; p999: number } {
  if (values.length === 0) return { p50: 0, p99: 0, p999: 0 };
  values.sort((a, b) => a - b);
  const at = (q: number): number =>
    round(values[Math.min(values.length - 1, Math.floor(q * values.length))]!);
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999) };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
