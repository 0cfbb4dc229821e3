import { describe, expect, it } from 'vitest';
import { ReadAhead } from './ReadAhead.ts';

describe('ReadAhead', () => {
  it('counts what is fetched until it commits, by partition and position', () => {
    const readAhead = new ReadAhead(100);
    readAhead.fetched(0, 5, 30);
    readAhead.fetched(1, 5, 50);
    expect(readAhead.bytes).toBe(80);
    expect(readAhead.room).toBe(20);
    readAhead.committed(0, 5);
    expect(readAhead.bytes).toBe(50);
    readAhead.committed(0, 5);
    readAhead.committed(2, 9);
    expect(readAhead.bytes).toBe(50);
  });

  it('goes past its budget by what a read brought beyond it, and frees it on commit', () => {
    const readAhead = new ReadAhead(100);
    readAhead.fetched(0, 1, 250);
    expect(readAhead.room).toBe(-150);
    readAhead.committed(0, 1);
    expect(readAhead.room).toBe(100);
  });

  it('forgets everything on clear', () => {
    const readAhead = new ReadAhead(100);
    readAhead.fetched(0, 1, 40);
    readAhead.clear();
    expect(readAhead.bytes).toBe(0);
    readAhead.committed(0, 1);
    expect(readAhead.bytes).toBe(0);
  });
});
