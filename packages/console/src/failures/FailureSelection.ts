import {
  DeadLetterStatus,
  deadLetterKind,
  type Admin,
  type DeadLetter,
  type DeadLetterFilter,
} from '@parley/core';

/** Which dead letters a page or a bulk job works on. */
export interface FailureSelection {
  /** `open`: the ones that need someone (parked, retrying, escalated); `all`; or one status. */
  readonly status: 'open' | 'all' | DeadLetterStatus;
  readonly consumer?: string;
  readonly kind?: 'message' | 'workflow';
  /** Text to find in the id, key, type, consumer, error name or message (case-insensitive). */
  readonly q?: string;
}

export const OPEN_STATUSES: ReadonlyArray<DeadLetterStatus> = ['parked', 'retrying', 'escalated'];
const STATUSES = Object.values(DeadLetterStatus) as string[];

/** The selection in a query string or a JSON body; unknown values fall back to the defaults. */
export function selectionOf(input: Record<string, unknown>): FailureSelection {
  const text = (name: string): string | undefined => {
    const value = input[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const status = text('status');
  const kind = text('kind');
  const consumer = text('consumer');
  const q = text('q');
  return {
    status:
      status === 'all' || (status !== undefined && STATUSES.includes(status))
        ? (status as DeadLetterStatus)
        : 'open',
    ...(consumer === undefined ? {} : { consumer }),
    ...(kind === 'message' || kind === 'workflow' ? { kind } : {}),
    ...(q === undefined ? {} : { q }),
  };
}

/** The selection as query parameters (defaults left out), for links that keep it. */
export function selectionQuery(selection: FailureSelection): string {
  const params = new URLSearchParams();
  if (selection.status !== 'open') params.set('status', selection.status);
  if (selection.consumer !== undefined) params.set('consumer', selection.consumer);
  if (selection.kind !== undefined) params.set('kind', selection.kind);
  if (selection.q !== undefined) params.set('q', selection.q);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** The part of a selection the admin API filters on. */
function filterOf(selection: FailureSelection): DeadLetterFilter {
  return {
    ...(selection.status === 'all'
      ? {}
      : { status: selection.status === 'open' ? OPEN_STATUSES : selection.status }),
    ...(selection.consumer === undefined ? {} : { consumer: selection.consumer }),
  };
}

/** Whether a dead letter passes the part of a selection the admin API does not filter on. */
export function matchesRest(deadLetter: DeadLetter, selection: FailureSelection): boolean {
  if (selection.kind !== undefined && deadLetterKind(deadLetter).kind !== selection.kind) return false;
  if (selection.q === undefined) return true;
  const q = selection.q.toLowerCase();
  const { message, error } = deadLetter;
  return [
    deadLetter.id,
    deadLetter.consumer,
    message.key,
    message.type,
    message.id,
    error.name,
    error.message,
  ].some((field) => field.toLowerCase().includes(q));
}

const PAGE = 1000;

/** Every dead letter of a selection, read from the admin API a page at a time, oldest first. */
export async function selectFailures(admin: Admin, selection: FailureSelection): Promise<DeadLetter[]> {
  const filter = filterOf(selection);
  const found: DeadLetter[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await admin.deadLetters.list({
      ...filter,
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (const deadLetter of page) if (matchesRest(deadLetter, selection)) found.push(deadLetter);
    if (page.length < PAGE) return found;
    after = page[page.length - 1]?.id;
  }
}
