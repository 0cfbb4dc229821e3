import { headers as natsHeaders } from '@nats-io/transport-node';
import { INVALID_HEADERS, newMessageId, type OutgoingMessage } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './messageCodec.ts';

describe('messageCodec', () => {
  it('round-trips every envelope field, whatever the characters', () => {
    const message: OutgoingMessage = {
      topic: 'show-events',
      partition: 2,
      id: newMessageId(Date.now()),
      type: 'Seat Reserved',
      key: 'show:1\r\nrow ü/7',
      payload: '{"seat":"A1","note":"ünï"}',
      headers: { correlationId: 'c-1', traceparent: '00-abc-01', custom: 'line\nbreak ✓' },
      occurredAt: new Date().toISOString(),
    };
    const { headers, data } = encodeMessage(message);
    const { id, ...rest } = message;
    expect(decodeMessage('show-events', 2, 17, { headers, data })).toEqual({ ...rest, id, position: 17 });
  });

  it('reads a foreign message as empty fields instead of throwing, keeping headers it cannot read for the dead letter', () => {
    const headers = natsHeaders();
    headers.set('Parley-Headers', '{not json');
    headers.set('Parley-Key', '%E0%A4%A');
    const record = decodeMessage('t', 0, 1, { headers, data: new TextEncoder().encode('hello') });
    expect(record).toMatchObject({
      id: '',
      type: '',
      key: '%E0%A4%A',
      headers: { [INVALID_HEADERS]: '{not json' },
      payload: 'hello',
    });
    expect(decodeMessage('t', 0, 1, { data: new Uint8Array() }).id).toBe('');
  });
});
