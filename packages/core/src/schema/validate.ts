import type { StandardSchemaV1 } from '@standard-schema/spec';
import { andThen } from '../concurrency/andThen.ts';
import { ValidationError } from '../errors/ValidationError.ts';

export type { StandardSchemaV1 };

/** The type a schema produces after validation. */
export type SchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;
/** The type a schema accepts. */
export type SchemaInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;

/** A map from message (or command, or event) type to the schema of its payload. */
export type SchemaMap = Record<string, StandardSchemaV1>;

/**
 * Validates `value` against any Standard Schema (zod, valibot, arktype …) and returns the schema's output.
 * Synchronous schemas stay synchronous: the result is a plain value, not a promise, which keeps the hot path
 * free of microtask hops.
 *
 * @throws ValidationError when the value does not match; `what` names the thing in the message (a function is
 *   called only then, so the hot path builds no string).
 */
export function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  what: string | (() => string),
): SchemaOutput<S> | Promise<SchemaOutput<S>> {
  return andThen(schema['~standard'].validate(value), (result) => unwrap(result, what) as SchemaOutput<S>);
}

function unwrap(result: StandardSchemaV1.Result<unknown>, described: string | (() => string)): unknown {
  if (result.issues === undefined) return result.value;
  const what = typeof described === 'string' ? described : described();
  const issues = result.issues.map((issue) => ({
    message: issue.message,
    path: issue.path?.map((p) => (typeof p === 'object' ? p.key : p)),
  }));
  const summary = issues
    .slice(0, 3)
    .map((i) => (i.path && i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new ValidationError(`invalid ${what}: ${summary}`, issues);
}
