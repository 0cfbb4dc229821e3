const encoder = new TextEncoder();

/**
 * The partition of `key` among `partitions`: FNV-1a over the key's UTF-8 bytes. Stable across processes,
 * versions and buses, so every publisher agrees where a key lives.
 */
export function partitionFor(key: string, partitions: number): number {
  if (partitions === 1) return 0;
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
