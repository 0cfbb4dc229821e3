import { describe, expect, it } from 'vitest';
import { deriveMessageId, messageIdTime, newMessageId, parseMessageId } from './MessageId.ts';

describe('message ids', () => {
  it('are unique and sort in creation order', () => {
    const ids = Array.from({ length: 1000 }, () => newMessageId());
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('derive deterministically, keeping the source time', () => {
    const source = newMessageId();
    const a = deriveMessageId(source, 'wallet-charger', 0);
    expect(deriveMessageId(source, 'wallet-charger', 0)).toBe(a);
    expect(deriveMessageId(source, 'wallet-charger', 1)).not.toBe(a);
    expect(deriveMessageId(source, 'other-consumer', 0)).not.toBe(a);
    expect(messageIdTime(parseMessageId(a))).toBe(messageIdTime(parseMessageId(source)));
  });

  it('rejects ids that are not ULIDs', () => {
    expect(() => parseMessageId('not-an-id')).toThrow(/ULID expected/);
  });
});
