import type { OutgoingMessage } from './OutgoingMessage.ts';

/** A durable scheduled message: published to its topic when due. */
export interface TimerRecord {
  readonly id: string;
  /** ms since the epoch. */
  readonly dueAt: number;
  readonly message: OutgoingMessage;
}
