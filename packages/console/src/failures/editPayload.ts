import {
  isParleyError,
  isValidationError,
  type Admin,
  type DeadLetter,
  type EditResult,
  type SchemaRegistry,
} from '@parley/core';

/** One problem with an edited payload: where (a dotted path; empty for the whole payload) and what. */
export interface PayloadIssue {
  readonly path: string;
  readonly message: string;
}

/** What checking an edit found: the problems, or the admin API's dry run of it (before and after). */
export type EditCheck =
  | { readonly ok: false; readonly issues: ReadonlyArray<PayloadIssue>; readonly error?: string }
  | { readonly ok: true; readonly result: EditResult };

function pathOf(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  return (path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
}

/**
 * Checks an edited payload (JSON text) of a dead letter: it must parse, match the message's schema when the
 * console was given the application's schemas (each problem with its field), and pass the admin API's own dry
 * run of the edit, which checks it again with the admin API's schemas and changes nothing.
 */
export async function checkEdit(
  admin: Admin,
  schemas: SchemaRegistry | undefined,
  deadLetter: DeadLetter,
  text: string,
  actor: { by: string; reason?: string },
): Promise<EditCheck> {
  let payload: unknown;
  try {
    payload = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const schema = schemas?.schemaFor(deadLetter.message.source, deadLetter.message.type);
  if (schema !== undefined) {
    const result = await schema['~standard'].validate(payload);
    if (result.issues !== undefined) {
      return { ok: false, issues: result.issues.map((i) => ({ path: pathOf(i.path), message: i.message })) };
    }
  }
  try {
    return {
      ok: true,
      result: await admin.deadLetters.edit(deadLetter.id, payload, { ...actor, dryRun: true }),
    };
  } catch (error) {
    if (isValidationError(error)) {
      return {
        ok: false,
        error: error.message,
        issues: error.issues.map((i) => ({
          path: pathOf(i.path as PropertyKey[] | undefined),
          message: i.message,
        })),
      };
    }
    if (isParleyError(error)) return { ok: false, issues: [], error: error.message };
    throw error;
  }
}
