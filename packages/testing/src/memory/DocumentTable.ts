import type { DocumentQuery, DocumentWrite } from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { compareText } from './compareText.ts';
import { toJsonText } from './toJsonText.ts';
import type { Transaction } from './Transaction.ts';

type Value = string | number | boolean | null;

interface DocumentRow {
  readonly text: string;
  /** Parsed once, for matching only: reads parse `text` again, so no caller shares it. */
  readonly value: unknown;
}

const FIELD = /^[A-Za-z0-9_]+$/;

/**
 * Read-model documents by model and id. `findDocuments` compares top-level fields as JSON values, as the
 * PostgreSQL store does: a string, number or boolean matches only the same JSON value (`true` is not the number
 * 1, 1 is 1.0), `null` matches a JSON null or a missing field; pages follow the id in UTF-8 byte order.
 */
export class DocumentTable {
  /** model → id → document */
  private readonly models = new Map<string, Map<string, DocumentRow>>();

  /** Sets a document, or deletes it when `doc` is null. */
  write(tx: Transaction, { model, id, doc }: DocumentWrite): void {
    if (doc === null) {
      const documents = this.models.get(model);
      if (documents !== undefined) tx.delete(documents, id);
      return;
    }
    const text = toJsonText(doc, `document ${model}/${id}`);
    tx.set(
      tx.child(this.models, model, () => new Map()),
      id,
      { text, value: JSON.parse(text) as unknown },
    );
  }

  get(model: string, id: string): unknown {
    const row = this.models.get(model)?.get(id);
    return row === undefined ? undefined : (JSON.parse(row.text) as unknown);
  }

  find(model: string, query: DocumentQuery = {}): Array<{ id: string; doc: unknown }> {
    const after = query.after;
    if (after !== undefined && typeof after !== 'string') {
      throw new TypeError('findDocuments: after must be a document id (a string)');
    }
    const where = Object.entries(query.where ?? {}) as Array<[string, Value]>;
    for (const [field, value] of where) {
      if (!FIELD.test(field)) {
        throw new TypeError(`findDocuments: field ${JSON.stringify(field)} must be letters, digits and '_'`);
      }
      const valid =
        value === null ||
        typeof value === 'boolean' ||
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!valid) {
        throw new TypeError(`findDocuments: ${field} must be a string, a finite number, a boolean or null`);
      }
    }
    const limit = checkLimit(query.limit ?? 100, 'findDocuments');
    const matches: Array<[string, DocumentRow]> = [];
    for (const entry of this.models.get(model) ?? []) {
      if (after !== undefined && compareText(entry[0], after) <= 0) continue;
      if (where.every(([field, value]) => fieldMatches(entry[1].value, field, value))) matches.push(entry);
    }
    return matches
      .sort(([a], [b]) => compareText(a, b))
      .slice(0, limit)
      .map(([id, row]) => ({ id, doc: JSON.parse(row.text) as unknown }));
  }
}

function fieldMatches(doc: unknown, field: string, wanted: Value): boolean {
  const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
  const value = isObject && Object.hasOwn(doc, field) ? (doc as Record<string, unknown>)[field] : undefined;
  if (wanted === null) return value === undefined || value === null;
  return value === wanted;
}
