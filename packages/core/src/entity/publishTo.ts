import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import type { SchemaMap } from '../schema/validate.ts';
import type { EntityEvent } from './defineEntity.ts';

/** Facts about an event being mapped to a topic message. */
export interface PublicationContext {
  readonly entityId: string;
  /** The stream version this event created. */
  readonly version: number;
  readonly eventId: string;
}

/** How an entity's events become messages of a topic. */
export interface EntityPublication<E extends SchemaMap = SchemaMap> {
  readonly topic: TopicDefinition;
  readonly map: (
    event: EntityEvent<E>,
    context: PublicationContext,
  ) => PublishInput<SchemaMap> | ReadonlyArray<PublishInput<SchemaMap>> | undefined;
}

/**
 * Maps an entity's events to messages of `topic`. The messages are written in the same transaction as the events
 * (outbox): there is no dual write. Return `undefined` for events that stay private.
 *
 * @example
 * service.entity(wallet, {
 *   publish: publishTo(walletEvents, (event, { entityId }) =>
 *     event.type === 'WalletCharged'
 *       ? { type: 'WalletCharged', key: entityId, payload: { walletId: entityId, ...event.data } }
 *       : undefined),
 * });
 */
export function publishTo<E extends SchemaMap, M extends SchemaMap>(
  topic: TopicDefinition<M>,
  map: (event: EntityEvent<E>, context: PublicationContext) => PublishInput<M> | ReadonlyArray<PublishInput<M>> | undefined,
): EntityPublication<E> {
  return { topic: topic as unknown as TopicDefinition, map: map as EntityPublication<E>['map'] };
}
