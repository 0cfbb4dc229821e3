import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqliteUrl } from './parseSqliteUrl.ts';

describe('parseSqliteUrl', () => {
  it('reads a relative sqlite: URL against the working directory', () => {
    expect(parseSqliteUrl('sqlite:./data/app.db')).toEqual({
      filename: path.resolve('data/app.db'),
      memory: false,
      description: 'sqlite:./data/app.db',
    });
  });

  it('reads an absolute path after an empty authority', () => {
    expect(parseSqliteUrl('sqlite:///var/lib/app.db')).toMatchObject({
      filename: '/var/lib/app.db',
      description: 'sqlite:/var/lib/app.db',
    });
    expect(parseSqliteUrl('sqlite:/var/lib/app.db').filename).toBe('/var/lib/app.db');
  });

  it('reads an in-memory database', () => {
    expect(parseSqliteUrl('sqlite::memory:')).toEqual({
      filename: ':memory:',
      memory: true,
      description: 'sqlite::memory:',
    });
    expect(parseSqliteUrl(':memory:').memory).toBe(true);
  });

  it('takes a plain path as a file', () => {
    expect(parseSqliteUrl('app.db')).toMatchObject({
      filename: path.resolve('app.db'),
      description: 'sqlite:app.db',
    });
    expect(parseSqliteUrl('/tmp/app.db').filename).toBe('/tmp/app.db');
  });

  it.each([
    ['', /it is empty/],
    ['postgres://localhost/app', /scheme "postgres:" is not "sqlite:"/],
    ['sqlite://host/app.db', /sqlite:\/\/\/absolute\/path/],
    ['sqlite:', /names no file/],
  ])('rejects %j with a clear error', (url, message) => {
    expect(() => parseSqliteUrl(url)).toThrow(message);
  });
});
