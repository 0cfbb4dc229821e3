import { ownEntry } from '../schema/ownEntry.ts';
import type { AnyEntity } from '../entity/defineEntity.ts';
import type { SchemaMap, StandardSchemaV1 } from '../schema/validate.ts';
import type { TopicDefinition } from '../topic/defineTopic.ts';

/** Finds the payload schema of a message by its source (a topic, or `entity:<name>`) and type. */
export interface SchemaRegistry {
  schemaFor(source: string, type: string): StandardSchemaV1 | undefined;
  /** Whether the source is known at all (to tell "unknown type" from "unknown source"). */
  knows(source: string): boolean;
}

/** A registry over the topics and entities an application declares. */
export function schemaRegistry(definitions: {
  topics?: ReadonlyArray<TopicDefinition>;
  entities?: ReadonlyArray<AnyEntity>;
}): SchemaRegistry {
  const sources = new Map<string, SchemaMap>();
  for (const topic of definitions.topics ?? []) sources.set(topic.name, topic.messages);
  for (const entity of definitions.entities ?? [])
    sources.set(`entity:${entity.name}`, entity.events as SchemaMap);
  return {
    schemaFor: (source, type) => {
      const schemas = sources.get(source);
      return schemas === undefined ? undefined : ownEntry(schemas, type);
    },
    knows: (source) => sources.has(source),
  };
}
