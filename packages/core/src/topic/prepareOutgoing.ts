import { withTraceContext } from '../telemetry/messagingSpans.ts';
import { ownEntry } from '../schema/ownEntry.ts';
import { andThen } from '../concurrency/andThen.ts';
import type { MessageHeaders } from '../envelope/Envelope.ts';
import { compactHeaders } from '../envelope/headers.ts';
import { ensureError } from '../errors/ensureError.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import type { MessageId } from '../ids/MessageId.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import { validate, type SchemaMap } from '../schema/validate.ts';
import type { PublishInput, TopicDefinition } from './defineTopic.ts';
import { partitionFor } from './partitionFor.ts';
import { isoTime } from '../clock/isoTime.ts';

/**
 * Validates a message for `topic` and turns it into what the outbox stores: known type, payload valid against
 * its schema (the schema's output is what is sent), a non-empty key, the partition of that key. Synchronous
 * when the schema is; a message it refuses comes back as a rejected promise, never as a throw.
 * `defaults.headers` must already be compact (no undefined values).
 */
export function prepareOutgoing<M extends SchemaMap>(
  topic: TopicDefinition<M>,
  input: PublishInput<M>,
  defaults: { id: MessageId; headers: MessageHeaders; now: number },
): OutgoingMessage | Promise<OutgoingMessage> {
  try {
    return prepareNow(topic, input, defaults);
  } catch (error) {
    // Never a synchronous throw: callers gather results and promises side by side, and a throw between them
    // would leave a promise already made unobserved.
    return Promise.reject(ensureError(error));
  }
}

function prepareNow<M extends SchemaMap>(
  topic: TopicDefinition<M>,
  input: PublishInput<M>,
  defaults: { id: MessageId; headers: MessageHeaders; now: number },
): OutgoingMessage | Promise<OutgoingMessage> {
  const schema = typeof input.type === 'string' ? ownEntry(topic.messages, input.type) : undefined;
  if (schema === undefined) {
    throw new ValidationError(
      `topic ${topic.name} has no message type ${JSON.stringify(input.type)}; known: ${Object.keys(topic.messages).join(', ')}`,
    );
  }
  if (typeof input.key !== 'string' || input.key.length === 0) {
    throw new ValidationError(`topic ${topic.name}: message ${input.type} needs a non-empty string key`);
  }
  const key = input.key;
  const build = (payload: unknown): OutgoingMessage => ({
    topic: topic.name,
    partition: partitionFor(key, topic.partitions),
    id: input.id ?? defaults.id,
    type: input.type,
    key,
    payload: JSON.stringify(payload) ?? 'null',
    headers: withTraceContext(
      input.headers === undefined
        ? defaults.headers
        : compactHeaders({ ...defaults.headers, ...input.headers }),
    ),
    occurredAt: isoTime(defaults.now),
  });
  return andThen(
    validate(schema, input.payload, () => `${topic.name} message ${input.type}`),
    build,
  );
}
