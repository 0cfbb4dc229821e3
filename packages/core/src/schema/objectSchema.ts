import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A Standard Schema that accepts any plain object as `T`, for payloads Parley builds itself (system events,
 * replies). The core has no schema library; user payloads use zod, valibot or arktype.
 */
export function objectSchema<T extends object>(): StandardSchemaV1<T, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'parley',
      validate: (value) =>
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? { value: value as T }
          : { issues: [{ message: 'expected an object' }] },
    },
  };
}
