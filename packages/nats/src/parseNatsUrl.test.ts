import { describe, expect, it } from 'vitest';
import { parseNatsUrl } from './parseNatsUrl.ts';

describe('parseNatsUrl', () => {
  it('reads host, port and prefix', () => {
    expect(parseNatsUrl('nats://127.0.0.1:4222')).toEqual({
      servers: ['127.0.0.1:4222'],
      prefix: 'parley',
      description: 'nats://127.0.0.1:4222 (prefix parley)',
    });
    expect(parseNatsUrl('nats://localhost?prefix=test-1')).toMatchObject({
      servers: ['localhost:4222'],
      prefix: 'test-1',
    });
  });

  it('accepts several servers and an options object', () => {
    expect(parseNatsUrl('nats://a:1,nats://b:2').servers).toEqual(['a:1', 'b:2']);
    expect(parseNatsUrl({ servers: ['a:1', 'nats://b'], prefix: 'x' })).toMatchObject({
      servers: ['a:1', 'b:4222'],
      prefix: 'x',
    });
  });

  it('keeps credentials out of the description', () => {
    const location = parseNatsUrl('nats://me:s3cret@host:4222');
    expect(location).toMatchObject({ user: 'me', pass: 's3cret' });
    expect(location.description).not.toContain('s3cret');
    expect(parseNatsUrl('nats://tok3n@host').token).toBe('tok3n');
  });

  it('rejects what is not a NATS URL, without echoing secrets', () => {
    expect(() => parseNatsUrl('postgres://u:pw@x/db')).toThrow(/not a NATS URL/);
    expect(() => parseNatsUrl('postgres://u:pw@x/db')).not.toThrow(/pw/);
    expect(() => parseNatsUrl('nonsense')).toThrow(/not a NATS URL/);
  });
});
