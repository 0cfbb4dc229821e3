import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import type { SchemaMap } from '../schema/validate.ts';

/** Facts about an event being mapped to a topic message. */
export interface PublicationContext {
  readonly entityId: string;
  /** The stream version this event created. */
  readonly version: number;
  readonly eventId: string;
}

/** An entity event as publications see it. */
export interface PublishableEvent {
  readonly type: string;
  readonly data: unknown;
}

/** How an entity's events (of type `Ev`) become messages of a topic. */
export interface EntityPublication<Ev extends PublishableEvent = PublishableEvent> {
  readonly topic: TopicDefinition;
  readonly map: (
    event: Ev,
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
export function publishTo<Ev extends PublishableEvent, M extends SchemaMap>(
  topic: TopicDefinition<M>,
  map: (
    event: Ev,
    context: PublicationContext,
  ) => PublishInput<M> | ReadonlyArray<PublishInput<M>> | undefined,
): EntityPublication<Ev> {
  return { topic: topic, map: map };
}
