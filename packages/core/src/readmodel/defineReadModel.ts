import type { StandardSchemaV1 } from '@standard-schema/spec';
import { assertName } from '../topic/defineTopic.ts';

/** A query table of documents keyed by id, written by consumers (projections) in their commits. */
export interface ReadModelDefinition<D = unknown> {
  readonly kind: 'readModel';
  readonly name: string;
  /** When given, every written document is validated against it. */
  readonly schema: StandardSchemaV1<unknown, D> | undefined;
}

/**
 * Declares a read model: documents keyed by id, queried by id or by equality on top-level fields.
 *
 * @example
 * const reservations = defineReadModel({
 *   name: 'reservations',
 *   schema: z.object({ showId: z.string(), seat: z.string(), status: z.enum(['held', 'confirmed']) }),
 * });
 */
export function defineReadModel<D>(options: {
  name: string;
  schema?: StandardSchemaV1<unknown, D>;
}): ReadModelDefinition<D> {
  assertName(options.name, 'read model');
  return Object.freeze({ kind: 'readModel', name: options.name, schema: options.schema });
}
