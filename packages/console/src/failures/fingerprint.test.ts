import type { DeadLetter } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { describeFrame, fingerprintOf, firstUserFrame, parseFrame } from './fingerprint.ts';

const STACK = [
  'GatewayError: gateway error 502',
  '    at Socket.emit (node:events:519:28)',
  '    at Client.send (/app/node_modules/undici/lib/client.js:10:3)',
  '    at MessageProcessor.process (/app/node_modules/@parley/core/dist/consumer/MessageProcessor.js:124:15)',
  '    at MessageProcessor.process (/repo/packages/core/src/consumer/MessageProcessor.ts:124:15)',
  '    at async Object.authorize (file:///app/src/paymentGateway.ts:32:15)',
  '    at chargeWallet (/app/src/walletCharges.ts:16:17)',
].join('\n');

function deadLetter(
  overrides: { stack?: string; type?: string; consumer?: string; name?: string } = {},
): DeadLetter {
  return {
    id: '01',
    consumer: overrides.consumer ?? 'wallet-charger',
    message: { type: overrides.type ?? 'SeatReserved', source: 'show-events', payload: '{}' },
    error: {
      name: overrides.name ?? 'GatewayError',
      message: 'gateway error 502 for wallet-7',
      stack: overrides.stack ?? STACK,
    },
  } as unknown as DeadLetter;
}

describe('fingerprints', () => {
  it('reads V8 frames, named or not, async or not', () => {
    expect(parseFrame('    at chargeWallet (/app/src/walletCharges.ts:16:17)')).toEqual({
      fn: 'chargeWallet',
      file: '/app/src/walletCharges.ts',
      line: 16,
    });
    expect(parseFrame('    at /app/src/main.ts:3:1')).toEqual({
      fn: null,
      file: '/app/src/main.ts',
      line: 3,
    });
    expect(parseFrame('    at async Promise.all (index 0)')).toEqual({
      fn: 'Promise.all',
      file: 'index 0',
      line: null,
    });
    expect(parseFrame('GatewayError: boom')).toBeUndefined();
  });

  it('take the first frame of the application: not node:, node_modules or Parley’s packages', () => {
    expect(firstUserFrame(STACK)).toEqual({
      fn: 'Object.authorize',
      file: '/app/src/paymentGateway.ts',
      line: 32,
    });
    expect(describeFrame(firstUserFrame(STACK), '/app')).toBe('Object.authorize (src/paymentGateway.ts:32)');
    expect(firstUserFrame(undefined)).toBeUndefined();
    expect(describeFrame(undefined)).toBe('(no frame of the application)');
  });

  it('are the same for the same error at the same place, whatever the message or key', () => {
    const a = fingerprintOf(deadLetter());
    expect(
      fingerprintOf({ ...deadLetter(), error: { ...deadLetter().error, message: 'other text' } }).id,
    ).toBe(a.id);
    expect(fingerprintOf(deadLetter({ type: 'SeatReleased' })).id).not.toBe(a.id);
    expect(fingerprintOf(deadLetter({ consumer: 'refunds' })).id).not.toBe(a.id);
    expect(fingerprintOf(deadLetter({ name: 'TypeError' })).id).not.toBe(a.id);
    expect(fingerprintOf(deadLetter({ stack: STACK.replace(':32:15', ':40:1') })).id).not.toBe(a.id);
    // Only the column moved: the same place.
    expect(fingerprintOf(deadLetter({ stack: STACK.replace(':32:15', ':32:9') })).id).toBe(a.id);
  });
});
