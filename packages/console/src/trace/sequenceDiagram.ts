import type { SagaTrace, TraceStep } from '@parley/core';
import { html, raw, type Raw } from '../html/html.ts';

/** One arrow of the diagram, between two lifelines. */
export interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly kind: 'published' | 'reply' | 'consumed' | 'failed' | 'redriven' | 'discarded' | 'outbox';
  readonly label: string;
  /** Where the arrow's label links to (a failure's page), if anywhere. */
  readonly href?: string;
}

/**
 * Lifelines: services (a publish whose sender the trace cannot tell: a command, an entity's event), topics,
 * consumer groups, and operators.
 */
const SENDER = 'services';
const OPERATOR = 'operator';
const topicLine = (topic: string) => `topic ${topic}`;

/**
 * The arrows of a saga's trace, in order: a publish goes from the group that published it (or the sender) to
 * its topic; each group past a message consumed it; a dead letter fails from its topic to its group, then an
 * operator's redrive or discard goes from the operator to the group; an outbox message not sent yet waits.
 */
export function arrowsOf(trace: SagaTrace, failureHref: (id: string) => string): Arrow[] {
  const arrows: Arrow[] = [];
  for (const step of trace.steps) arrows.push(...arrowsOfStep(step, failureHref));
  return arrows;
}

function arrowsOfStep(step: TraceStep, failureHref: (id: string) => string): Arrow[] {
  switch (step.kind) {
    case 'published':
      return [
        {
          from: step.by ?? SENDER,
          to: topicLine(step.message.topic),
          kind: step.reply ? 'reply' : 'published',
          label: `${step.reply ? 'reply ' : ''}${step.message.type} (${step.message.key})`,
        },
      ];
    case 'consumed':
      return [
        {
          from: topicLine(step.message.topic),
          to: step.group,
          kind: 'consumed',
          label: `✓ ${step.message.type}`,
        },
      ];
    case 'failed': {
      const d = step.deadLetter;
      const failed: Arrow = {
        from: topicLine(d.message.source),
        to: d.consumer,
        kind: 'failed',
        label: `✗ ${d.message.type}: ${d.error.name}${d.attempts > 1 ? ` ×${d.attempts}` : ''} (${d.status})`,
        href: failureHref(d.id),
      };
      if (d.status !== 'redriven' && d.status !== 'discarded') return [failed];
      const by = d.edits.at(-1)?.by;
      return [
        failed,
        {
          from: OPERATOR,
          to: d.consumer,
          kind: d.status,
          label: `${d.status}${d.edits.length > 0 ? ' (edited)' : ''}${by === undefined ? '' : ` by ${by}`}`,
          href: failureHref(d.id),
        },
      ];
    }
    case 'outbox':
      return [
        {
          from: SENDER,
          to: topicLine(step.entry.topic),
          kind: 'outbox',
          label: `${step.entry.type} (${step.entry.key}) in the outbox: ${step.entry.status}`,
        },
      ];
  }
}

const COLUMN = 150;
const ROW = 34;
const TOP = 56;
const LEFT = 80;

/** The arrows as an SVG sequence diagram: one lifeline per sender, topic, group and operator, in order of use. */
export function sequenceDiagram(arrows: ReadonlyArray<Arrow>): Raw {
  const lines: string[] = [];
  const add = (line: string) => {
    if (!lines.includes(line)) lines.push(line);
  };
  if (arrows.some((a) => a.from === SENDER)) add(SENDER);
  for (const a of arrows) {
    if (a.from !== OPERATOR) add(a.from);
    add(a.to);
  }
  if (arrows.some((a) => a.from === OPERATOR)) add(OPERATOR);
  const x = (line: string) => LEFT + lines.indexOf(line) * COLUMN;
  const width = LEFT * 2 + Math.max(0, lines.length - 1) * COLUMN;
  const height = TOP + (arrows.length + 1) * ROW;
  return html`<svg
    id="sequence"
    xmlns="http://www.w3.org/2000/svg"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-label="Sequence diagram of the saga"
  >
    <defs>
      ${['published', 'reply', 'consumed', 'failed', 'redriven', 'discarded', 'outbox'].map(
        (kind) =>
          html`<marker
            id="head-${kind}"
            class="seq-${kind}"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>`,
      )}
    </defs>
    ${lines.map(
      (line) =>
        html`<g class="lifeline" data-lifeline="${line}">
          <rect x="${x(line) - 72}" y="8" width="144" height="28" rx="5" />
          <text x="${x(line)}" y="27" text-anchor="middle">${shorten(line, 22)}</text>
          <line x1="${x(line)}" y1="36" x2="${x(line)}" y2="${height - 8}" />
        </g>`,
    )}
    ${arrows.map((a, i) => {
      const y = TOP + (i + 1) * ROW;
      const x1 = x(a.from);
      const x2 = x(a.to);
      const self = x1 === x2;
      const text = html`<text x="${(x1 + x2) / 2 + (self ? 40 : 0)}" y="${y - 6}" text-anchor="middle"
        >${shorten(a.label, 44)}<title>${a.label}</title></text
      >`;
      return html`<g class="step seq-${a.kind}" data-kind="${a.kind}" data-from="${a.from}" data-to="${a.to}">
        ${
          self
            ? html`<path d="M${x1},${y - 10} h30 v10 h-30" fill="none" marker-end="url(#head-${a.kind})" />`
            : html`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#head-${a.kind})" />`
        }
        ${a.href === undefined ? text : html`<a href="${a.href}">${text}</a>`}
      </g>`;
    })}
  </svg>`;
}

function shorten(text: string, max: number): Raw | string {
  return text.length <= max ? text : raw(`${escape(text.slice(0, max - 1))}…`);
}

function escape(text: string): string {
  return html`${text}`.text;
}
