import { createHash } from 'node:crypto';
import { deadLetterKind, type DeadLetter } from '@parley/core';

/** Frames that are not the application's: dependencies, Node itself, and Parley's own packages. */
const NOT_USER_CODE = [
  /[\\/]node_modules[\\/]/,
  /^node:/,
  /^internal[\\/]/,
  /^<anonymous>$/,
  /^native$/,
  /[\\/]@parley[\\/]/,
  /[\\/]packages[\\/](core|sql|sqlite|postgres|nats|testing|cli|console)[\\/](src|dist)[\\/]/,
];

/** A stack frame: the function (when named) and where it is, `file:line` (the column left out). */
export interface StackFrame {
  readonly fn: string | null;
  readonly file: string;
  readonly line: number | null;
}

/** Reads a V8 stack line: `at fn (file:line:col)`, `at file:line:col`, `at async fn (…)`. */
export function parseFrame(line: string): StackFrame | undefined {
  const match = /^\s*at\s+(?:async\s+)?(?:(.+?)\s+\((.+)\)|(.+))\s*$/.exec(line);
  if (match === null) return undefined;
  const where = (match[2] ?? match[3] ?? '').replace(/^file:\/\//, '');
  const position = /^(.*?):(\d+)(?::\d+)?$/.exec(where);
  return {
    fn: match[1] ?? null,
    file: position?.[1] ?? where,
    line: position?.[2] === undefined ? null : Number(position[2]),
  };
}

/** The first frame of the application's own code in a stack, or undefined (no stack, or none of its frames). */
export function firstUserFrame(stack: string | undefined): StackFrame | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const frame = parseFrame(line);
    if (frame !== undefined && !NOT_USER_CODE.some((pattern) => pattern.test(frame.file))) return frame;
  }
  return undefined;
}

/** `fn (file:line)`, with the file relative to the working directory when it is under it. */
export function describeFrame(frame: StackFrame | undefined, cwd = process.cwd()): string {
  if (frame === undefined) return '(no frame of the application)';
  const file = frame.file.startsWith(`${cwd}/`) ? frame.file.slice(cwd.length + 1) : frame.file;
  const where = frame.line === null ? file : `${file}:${frame.line}`;
  return frame.fn === null ? where : `${frame.fn} (${where})`;
}

/** What groups failures: the same error thrown at the same place of the same message type, in one consumer. */
export interface Fingerprint {
  /** A short stable id of the four parts, for URLs. */
  readonly id: string;
  readonly errorName: string;
  readonly frame: string;
  /** The message type; for a parked workflow run, `workflow:<name>`. */
  readonly type: string;
  readonly consumer: string;
  readonly kind: 'message' | 'workflow';
}

/**
 * A dead letter's fingerprint: error name + first stack frame of the application's code (dependencies, `node:`
 * frames and Parley's packages skipped) + message type + consumer.
 */
export function fingerprintOf(deadLetter: DeadLetter): Fingerprint {
  const kind = deadLetterKind(deadLetter);
  const type = kind.kind === 'workflow' ? `workflow:${kind.workflow}` : deadLetter.message.type;
  const frame = describeFrame(firstUserFrame(deadLetter.error.stack));
  const parts = [deadLetter.error.name, frame, type, deadLetter.consumer];
  const id = createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
  return {
    id,
    errorName: deadLetter.error.name,
    frame,
    type,
    consumer: deadLetter.consumer,
    kind: kind.kind,
  };
}
