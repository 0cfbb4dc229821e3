import { describe, expect, it } from 'vitest';
import { isConnectionLoss, isRefusedByServer, wasNeverSent } from './connectionLoss.ts';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('connection loss', () => {
  it('knows a server that is restarting, a refused socket and a cut connection', () => {
    for (const error of [
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006'),
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
    ])
      expect(isConnectionLoss(error)).toBe(true);
  });

  it('leaves the caller’s own errors alone: conflicts, bad SQL, anything else', () => {
    for (const error of [
      withCode('23505'),
      withCode('42P01'),
      withCode('40001'),
      new Error('boom'),
      undefined,
    ])
      expect(isConnectionLoss(error)).toBe(false);
  });

  it('tells a statement the server refused or that was never sent from one whose answer was lost', () => {
    expect(isRefusedByServer(withCode('57P01'))).toBe(true);
    expect(wasNeverSent(new Error('Client was closed and is not queryable'))).toBe(true);
    const cut = new Error('Connection terminated unexpectedly');
    expect(isRefusedByServer(cut) || wasNeverSent(cut)).toBe(false);
  });
});
