import { ownEntry } from '../schema/ownEntry.ts';
import { andThen } from '../concurrency/andThen.ts';
import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { INVALID_HEADERS } from '../envelope/headers.ts';
import type { MessageId } from '../ids/MessageId.ts';
import type { Bus } from '../ports/Bus.ts';
import type { LogRecord } from '../ports/OutgoingMessage.ts';
import type { ParkedMessage } from '../ports/ParkedMessage.ts';
import type { Store } from '../ports/Store.ts';
import type { StoredEvent } from '../ports/StoredEvent.ts';
import { validate, type SchemaMap } from '../schema/validate.ts';
import type { ConsumerSourceDefinition } from './defineConsumer.ts';

/** A raw record read from a source, before decoding. */
export interface SourceRecord {
  readonly position: number;
  /** The ordering key as stored (checked when decoding). */
  readonly key: string;
  readonly record: LogRecord | StoredEvent;
  /** What the record counts against the consumer's `readAheadBytes`: its payload's length (0 for events). */
  readonly size: number;
}

/** A readable, partitioned log for the consumer engine: a topic on the bus or an entity's events in the store. */
export interface ConsumerSource {
  /** Name under which checkpoints are kept: the topic name, or `entity:<name>`. */
  readonly name: string;
  readonly partitions: number;
  /**
   * Up to `limit` records after `after`, within `maxBytes` of payload (the first one always). An entity's event
   * stream is read by count only: its events count 0 bytes.
   */
  read(partition: number, after: number, limit: number, maxBytes?: number): Promise<SourceRecord[]>;
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Decodes and validates a record; throws ValidationError for anything malformed. */
  decode(partition: number, source: SourceRecord): Delivered | Promise<Delivered>;
  /** The record as kept in a parked queue or dead letter. */
  toParked(partition: number, source: SourceRecord): ParkedMessage;
  /** Decodes and validates a parked message (possibly edited); throws ValidationError for anything malformed. */
  decodeParked(message: ParkedMessage): Delivered | Promise<Delivered>;
  endPosition(partition: number): Promise<number>;
  /** How many messages of a partition have a position greater than `after` (a consumer's lag). */
  countAfter(partition: number, after: number): Promise<number>;
  /** When the first message of a partition after `after` was produced (ISO-8601), or undefined when none is. */
  producedAfter(partition: number, after: number): Promise<string | undefined>;
  /** Reports a group's checkpoint to the bus (for the retention guard); nothing to do for entity streams. */
  recordProgress(group: string, partition: number, position: number): Promise<void>;
}

export function consumerSource(definition: ConsumerSourceDefinition, store: Store, bus: Bus): ConsumerSource {
  if (definition.kind === 'topic') {
    const topic = definition;
    return {
      name: topic.name,
      partitions: topic.partitions,
      read: async (partition, after, limit, maxBytes) =>
        (await bus.read(topic.name, partition, after, limit, maxBytes)).map((record) => ({
          position: record.position,
          key: record.key,
          record,
          // A row written by something other than Parley may hold anything.
          size: typeof record.payload === 'string' ? record.payload.length : 0,
        })),
      wait: (timeoutMs, signal) => bus.waitForMessages([topic.name], timeoutMs, signal),
      decode: (partition, { position, record }) =>
        decodeLogRecord(topic.name, topic.messages as SchemaMap, partition, position, record as LogRecord),
      endPosition: (partition) => bus.endPosition(topic.name, partition),
      countAfter: (partition, after) => bus.countAfter(topic.name, partition, after),
      producedAfter: async (partition, after) =>
        (await bus.read(topic.name, partition, after, 1))[0]?.occurredAt,
      recordProgress: (group, partition, position) =>
        bus.recordProgress(topic.name, group, partition, position),
      toParked: (partition, { position, record }) => {
        const r = record as LogRecord;
        // A row written by something other than Parley may hold anything: keep what can be kept, as text.
        return {
          id: textOf(r.id),
          type: textOf(r.type),
          key: textOf(r.key),
          payload: typeof r.payload === 'string' ? r.payload : (JSON.stringify(r.payload) ?? ''),
          headers: headersOf(r.headers),
          occurredAt: textOf(r.occurredAt),
          source: topic.name,
          partition,
          position,
        };
      },
      decodeParked: (m) =>
        decodeLogRecord(topic.name, topic.messages as SchemaMap, m.partition, m.position, {
          ...m,
          topic: topic.name,
        }),
    };
  }
  const entity = definition;
  const name = `entity:${entity.name}`;
  return {
    name,
    partitions: 1,
    read: async (_partition, after, limit) =>
      (await store.readEvents(entity.name, after, limit)).map((record) => ({
        position: record.position,
        key: record.entityId,
        record,
        size: 0,
      })),
    wait: (timeoutMs, signal) => store.waitForChange(timeoutMs, signal, ['events']),
    decode: (_partition, { position, record }) => {
      const event = record as StoredEvent;
      return decodeFields(name, entity.events as SchemaMap, 0, position, {
        id: event.id,
        type: event.type,
        key: event.entityId,
        headers: event.metadata,
        occurredAt: event.occurredAt,
        payload: event.data,
      });
    },
    endPosition: () => store.lastEventPosition(entity.name),
    countAfter: (_partition, after) => store.countEventsAfter(entity.name, after),
    producedAfter: async (_partition, after) =>
      (await store.readEvents(entity.name, after, 1))[0]?.occurredAt,
    recordProgress: () => Promise.resolve(),
    toParked: (_partition, { position, record }) => {
      const e = record as StoredEvent;
      return {
        id: e.id,
        type: e.type,
        key: e.entityId,
        payload: JSON.stringify(e.data) ?? 'null',
        headers: e.metadata,
        occurredAt: e.occurredAt,
        source: name,
        partition: 0,
        position,
      };
    },
    decodeParked: (m) =>
      decodeLogRecord(name, entity.events as SchemaMap, 0, m.position, { ...m, topic: name }),
  };
}

function decodeLogRecord(
  source: string,
  messages: SchemaMap,
  partition: number,
  position: number,
  record: LogRecord,
): Delivered | Promise<Delivered> {
  let payload: unknown;
  try {
    payload = JSON.parse(record.payload);
  } catch (error) {
    throw new ValidationError(`${source}#${partition}@${position}: payload is not valid JSON`, [], {
      cause: error,
    });
  }
  return decodeFields(source, messages, partition, position, {
    id: record.id,
    type: record.type,
    key: record.key,
    headers: record.headers,
    occurredAt: record.occurredAt,
    payload,
  });
}

function decodeFields(
  source: string,
  messages: SchemaMap,
  partition: number,
  position: number,
  fields: {
    id: string;
    type: string;
    key: string;
    headers: MessageHeaders;
    occurredAt: string;
    payload: unknown;
  },
): Delivered | Promise<Delivered> {
  const where = () => `${source}#${partition}@${position}`;
  if (typeof fields.id !== 'string' || fields.id.length === 0)
    throw new ValidationError(`${where()}: message has no id`);
  if (typeof fields.type !== 'string')
    throw new ValidationError(`${where()}: message ${fields.id} has no type`);
  if (typeof fields.key !== 'string')
    throw new ValidationError(`${where()}: message ${fields.id} has no key`);
  if (typeof fields.occurredAt !== 'string')
    throw new ValidationError(`${where()}: message ${fields.id} has no occurredAt`);
  const headers: unknown = fields.headers ?? {};
  if (typeof headers !== 'object' || Array.isArray(headers) || INVALID_HEADERS in (headers as object)) {
    throw new ValidationError(
      `${where()}: message ${fields.id} has headers that are not a JSON object of strings`,
    );
  }
  const schema = ownEntry(messages, fields.type);
  if (schema === undefined) {
    throw new ValidationError(`${where()}: unknown message type ${JSON.stringify(fields.type)} in ${source}`);
  }
  const build = (payload: unknown): Delivered => ({
    id: fields.id as MessageId,
    type: fields.type,
    key: fields.key,
    payload,
    headers: headers as MessageHeaders,
    occurredAt: fields.occurredAt,
    source,
    partition,
    position,
  });
  return andThen(
    validate(schema, fields.payload, () => `${source} message ${fields.type} (${fields.id})`),
    build,
  );
}

/** A stored field as text: what was read, or the empty string for nothing. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === null || value === undefined ? '' : (JSON.stringify(value) ?? '');
}

/** Headers a dead letter can keep: the object when it is one, else the raw value under {@link INVALID_HEADERS}. */
function headersOf(value: unknown): MessageHeaders {
  if (value === null || value === undefined) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as MessageHeaders;
  return { [INVALID_HEADERS]: typeof value === 'string' ? value : (JSON.stringify(value) ?? '') };
}
