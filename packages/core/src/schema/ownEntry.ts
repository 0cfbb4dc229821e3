/**
 * `map[key]` when `key` is the map's own entry, else undefined: a message or command type read from outside
 * (`constructor`, `__proto__`, `toString`) must never find what every object inherits.
 */
export function ownEntry<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
