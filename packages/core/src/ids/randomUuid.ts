import type { Clock } from '../clock/Clock.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A version 4 UUID whose random bits come from `clock.random()` (seeded under simulation). */
export function randomUuid(clock: Pick<Clock, 'random'>): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(clock.random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => HEX[b]!).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
