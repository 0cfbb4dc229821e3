import { deadLetterKind, type DeadLetter } from '@parley/core';
import type { Context } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../ConsoleEnv.ts';
import { escapeHtml, html, raw, type Raw } from '../html/html.ts';
import { badge, canOperate, csrfField, page } from '../html/layout.ts';
import { APPLIES_TO } from './BulkJobs.ts';
import type { PayloadIssue } from './editPayload.ts';
import { fingerprintOf } from './fingerprint.ts';
import { lineDiff, prettyJson } from './lineDiff.ts';
import { maskHeaders } from './maskHeaders.ts';

/** The edit form's state after a check: the text as typed, its problems, or the diff it would make. */
export interface EditorState {
  readonly text: string;
  readonly reason: string;
  readonly issues: ReadonlyArray<PayloadIssue>;
  readonly error?: string | undefined;
  /** Set once the admin API's dry run accepted the edit. */
  readonly diff?: { before: unknown; after: unknown } | undefined;
}

/** `GET /failures/:id`: the whole message (headers masked), error and stack, attempts, edits, and what to do. */
export function failurePage(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  deadLetter: DeadLetter,
  editor?: EditorState,
): Response {
  const { message, error } = deadLetter;
  const kind = deadLetterKind(deadLetter);
  const fingerprint = fingerprintOf(deadLetter);
  const payload = parse(message.payload);
  const base = `${deps.base}/failures/${encodeURIComponent(deadLetter.id)}`;
  const body = html`
    <p><a href="${deps.base}/failures/groups/${fingerprint.id}?status=all">← its group</a></p>
    <h1>Dead letter ${deadLetter.id} ${badge(deadLetter.status)}</h1>
    <p>
      <a id="trace-link" href="${deps.base}/trace?failure=${encodeURIComponent(deadLetter.id)}"
        >Its saga across services</a
      >
    </p>
    ${
      kind.kind === 'workflow'
        ? html`<p class="card">
            A parked run of workflow <strong>${kind.workflow}</strong>:
            <a
              href="${deps.base}/workflows/${encodeURIComponent(kind.workflow)}/${encodeURIComponent(kind.runId)}"
              >its timeline</a
            >.
          </p>`
        : ''
    }
    ${canOperate(c) ? actions(c, base, deadLetter) : ''}
    <div class="grid">
      <div class="card">
        <h2>State</h2>
        <dl class="facts">
          <dt>Consumer</dt>
          <dd>${deadLetter.consumer}</dd>
          <dt>Status</dt>
          <dd>${deadLetter.status} (reason: ${deadLetter.reason})</dd>
          <dt>Attempts</dt>
          <dd id="attempts">${deadLetter.attempts}</dd>
          <dt>First failed</dt>
          <dd>${deadLetter.firstFailedAt}</dd>
          <dt>Last failed</dt>
          <dd>${deadLetter.lastFailedAt}</dd>
          ${
            deadLetter.action === null
              ? ''
              : html`<dt>Pending</dt>
                  <dd>
                    ${deadLetter.action}${deadLetter.dueAt === null ? '' : ` due ${new Date(deadLetter.dueAt).toISOString()}`}
                  </dd>`
          }
          <dt>Updated</dt>
          <dd>${deadLetter.updatedAt} (version ${deadLetter.version})</dd>
        </dl>
      </div>
      <div class="card">
        <h2>Message</h2>
        <dl class="facts">
          <dt>Id</dt>
          <dd>${message.id}</dd>
          <dt>Source</dt>
          <dd>${message.source} (partition ${message.partition}, position ${message.position})</dd>
          <dt>Type</dt>
          <dd>${message.type}</dd>
          <dt>Key</dt>
          <dd>${message.key}</dd>
          <dt>Occurred at</dt>
          <dd>${message.occurredAt}</dd>
        </dl>
        <h2>Headers</h2>
        <pre id="headers">${prettyJson(maskHeaders(message.headers, deps.sensitiveHeaders))}</pre>
        <h2>
          Payload ${payload.ok ? '' : html`<span class="muted">(not valid JSON, shown as stored)</span>`}
        </h2>
        <pre id="payload">${payload.ok ? prettyJson(payload.value) : message.payload}</pre>
      </div>
    </div>
    <div class="card">
      <h2>Error</h2>
      <p>
        <strong>${error.name}</strong>${error.code === undefined ? '' : html` <code>${error.code}</code>`}:
        ${error.message}
      </p>
      <p class="muted">Group: <code>${fingerprint.frame}</code></p>
      ${error.stack === undefined ? '' : html`<pre id="stack">${error.stack}</pre>`}
    </div>
    ${canOperate(c) && APPLIES_TO.redrive.includes(deadLetter.status) ? editForm(c, base, deadLetter, editor) : ''}
    <h2>Edits (${deadLetter.edits.length})</h2>
    ${
      deadLetter.edits.length === 0
        ? html`<p class="muted">None.</p>`
        : deadLetter.edits.map(
            (edit) =>
              html`<div class="card">
                <p>
                  ${edit.at} by
                  <strong>${edit.by}</strong>${edit.reason === undefined ? '' : `: ${edit.reason}`}
                </p>
                ${diffView(parseOr(edit.before), parseOr(edit.after))}
              </div>`,
          )
    }
  `;
  return page(
    c,
    deps,
    'failures',
    `Dead letter ${deadLetter.id}`,
    body,
    editor !== undefined && editor.diff === undefined ? 400 : 200,
  );
}

function actions(c: Context<ConsoleEnv>, base: string, deadLetter: DeadLetter): Raw {
  const redrive = APPLIES_TO.redrive.includes(deadLetter.status);
  const discard = APPLIES_TO.discard.includes(deadLetter.status);
  if (!redrive && !discard) return html``;
  return html`<div class="actions">
    ${
      redrive
        ? html`<form class="inline" method="post" action="${base}/redrive">
            ${csrfField(c)}<button class="primary" type="submit">Redrive</button>
          </form>`
        : ''
    }
    ${
      discard
        ? html`<form
            class="inline"
            method="post"
            action="${base}/discard"
            data-confirm="Discard dead letter ${deadLetter.id} for good?"
          >
            ${csrfField(c)}<button class="danger" type="submit">Discard</button>
          </form>`
        : ''
    }
  </div>`;
}

function editForm(c: Context<ConsoleEnv>, base: string, deadLetter: DeadLetter, editor?: EditorState): Raw {
  const payload = parse(deadLetter.message.payload);
  const text = editor?.text ?? (payload.ok ? prettyJson(payload.value) : deadLetter.message.payload);
  return html`<div class="card" id="edit">
    <h2>Edit the payload and redrive</h2>
    <form method="post" action="${base}/edit">
      ${csrfField(c)}
      <textarea name="payload" spellcheck="false" aria-label="payload">${text}</textarea>
      ${editor?.error === undefined ? '' : html`<p class="bad" id="edit-error">${editor.error}</p>`}
      ${
        editor === undefined || editor.issues.length === 0
          ? ''
          : html`<ul class="issues" id="edit-issues">
              ${editor.issues.map((i) => html`<li><code>${i.path === '' ? '(payload)' : i.path}</code>: ${i.message}</li>`)}
            </ul>`
      }
      ${
        editor?.diff === undefined
          ? ''
          : html`<p class="ok">The schema accepts it. Against the payload now:</p>
              ${diffView(editor.diff.before, editor.diff.after)}`
      }
      <div class="actions">
        <label>Reason <input name="reason" value="${editor?.reason ?? ''}" size="40" /></label>
        <button type="submit" name="intent" value="check">Check (dry run)</button>
        <button type="submit" name="intent" value="apply" class="primary">Save and redrive</button>
      </div>
    </form>
  </div>`;
}

/** A line diff of two JSON values, pretty-printed; `(unchanged)` when they print the same. */
export function diffView(before: unknown, after: unknown): Raw {
  const lines = lineDiff(prettyJson(before), prettyJson(after));
  if (lines.every((l) => l.op === ' ')) return html`<p class="muted">(payload unchanged)</p>`;
  // Built as text: a formatter would reflow the whitespace of a template inside <pre>.
  const text = lines
    .map((l) => {
      const line = escapeHtml(`${l.op} ${l.text}`);
      return l.op === ' '
        ? `<span>${line}</span>\n`
        : `<span class="${l.op === '+' ? 'add' : 'del'}">${line}</span>`;
    })
    .join('');
  return raw(`<pre class="diff">${text}</pre>`);
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function parseOr(text: string): unknown {
  const parsed = parse(text);
  return parsed.ok ? parsed.value : text;
}
