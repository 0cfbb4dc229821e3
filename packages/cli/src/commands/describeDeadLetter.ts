import { deadLetterKind, type DeadLetter } from '@parley/core';
import { formatJsonDiff, prettyJson } from '@parley/console';

/** What `dlq list --json` prints per dead letter: the fields operators filter and sort by, flat. */
export function deadLetterSummary(deadLetter: DeadLetter) {
  const { message } = deadLetter;
  return {
    id: deadLetter.id,
    ...deadLetterKind(deadLetter),
    consumer: deadLetter.consumer,
    source: message.source,
    key: message.key,
    type: message.type,
    status: deadLetter.status,
    reason: deadLetter.reason,
    attempts: deadLetter.attempts,
    error: deadLetter.error.message,
    errorName: deadLetter.error.name,
    messageId: message.id,
    firstFailedAt: deadLetter.firstFailedAt,
    lastFailedAt: deadLetter.lastFailedAt,
    edits: deadLetter.edits.length,
  };
}

/** The whole record for `dlq show`: state, message with headers and payload, error with stack, edits. */
export function describeDeadLetter(deadLetter: DeadLetter): string {
  const { message, error } = deadLetter;
  const field = (name: string, value: string): string => `  ${name.padEnd(14)}${value}`.trimEnd();
  const block = (text: string): string[] => text.split('\n').map((line) => `    ${line}`);
  const payload = parsePayload(message.payload);
  const kind = deadLetterKind(deadLetter);
  const lines = [
    `Dead letter ${deadLetter.id}`,
    ...(kind.kind === 'workflow'
      ? [
          field(
            'workflow run',
            `${kind.workflow} ${kind.runId}, parked (parley workflows show ${kind.workflow} ${kind.runId})`,
          ),
        ]
      : []),
    field('consumer', deadLetter.consumer),
    field('status', `${deadLetter.status} (reason: ${deadLetter.reason})`),
    field('attempts', String(deadLetter.attempts)),
    field('first failed', deadLetter.firstFailedAt),
    field('last failed', deadLetter.lastFailedAt),
    ...(deadLetter.action === null
      ? []
      : [
          field(
            'pending',
            `${deadLetter.action}${deadLetter.dueAt === null ? '' : ` due ${new Date(deadLetter.dueAt).toISOString()}`}`,
          ),
        ]),
    field('updated', `${deadLetter.updatedAt} (version ${deadLetter.version})`),
    '',
    'Message',
    field('id', message.id),
    field('source', `${message.source} (partition ${message.partition}, position ${message.position})`),
    field('type', message.type),
    field('key', message.key),
    field('occurred at', message.occurredAt),
    field('headers', ''),
    ...block(prettyJson(message.headers)),
    field('payload', payload.ok ? '' : '(not valid JSON, shown as stored)'),
    ...block(payload.ok ? prettyJson(payload.value) : message.payload),
    '',
    'Error',
    field('name', error.name),
    field('message', error.message),
    ...(error.code === undefined ? [] : [field('code', error.code)]),
    ...(error.stack === undefined ? [] : [field('stack', ''), ...block(error.stack)]),
    '',
    deadLetter.edits.length === 0 ? 'Edits: none' : `Edits (${deadLetter.edits.length})`,
  ];
  for (const edit of deadLetter.edits) {
    lines.push(`  ${edit.at} by ${edit.by}${edit.reason === undefined ? '' : `: ${edit.reason}`}`);
    const before = parsePayload(edit.before);
    const after = parsePayload(edit.after);
    lines.push(
      ...formatJsonDiff(before.ok ? before.value : edit.before, after.ok ? after.value : edit.after).flatMap(
        block,
      ),
    );
  }
  return lines.join('\n');
}

function parsePayload(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
