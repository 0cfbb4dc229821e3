/**
 * Reads that take a byte budget (`maxBytes` of `Bus.read` and `Store.readParked`) share one rule: they return
 * messages in order while their sizes add up to at most `maxBytes`, and always return the first one, so a message
 * larger than the whole budget comes alone instead of never. A size is the length of the stored JSON text (the
 * payload of a topic message, the whole parked message); a backend may count more (NATS counts the stored
 * message with its headers) but not less. The budget must hold for the read itself: what a read leaves out is
 * not loaded.
 */

/** Throws a clear error unless `maxBytes` is a positive integer or `Infinity` (no budget). */
export function checkMaxBytes(maxBytes: number, what: string): number {
  if (maxBytes !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
    throw new RangeError(`${what}: maxBytes must be a positive integer or Infinity, got ${maxBytes}`);
  }
  return maxBytes;
}

/** How many of the leading `sizes` fit in `maxBytes`: at least one when there is one. */
export function countWithinBytes(sizes: ArrayLike<number>, maxBytes: number): number {
  let total = 0;
  let count = 0;
  while (count < sizes.length) {
    total += sizes[count] as number;
    if (count > 0 && total > maxBytes) break;
    count++;
  }
  return count;
}
