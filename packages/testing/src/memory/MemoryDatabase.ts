import type { Clock } from '@parley/core';
import { ChangeHub } from './ChangeHub.ts';
import { CheckpointTable } from './CheckpointTable.ts';
import { CommandTable } from './CommandTable.ts';
import { ConsumerStateTable } from './ConsumerStateTable.ts';
import { DeadLetterTable } from './DeadLetterTable.ts';
import { DocumentTable } from './DocumentTable.ts';
import { EventTable } from './EventTable.ts';
import { InstanceSlotTable } from './InstanceSlotTable.ts';
import { LeaseTable } from './LeaseTable.ts';
import { OutboxTable } from './OutboxTable.ts';
import { ParkedTable } from './ParkedTable.ts';
import { RetentionBook } from './RetentionBook.ts';
import { TimerTable } from './TimerTable.ts';
import { TopicLog } from './TopicLog.ts';

/**
 * The data of one in-memory database, as a SQLite file holds it: a store's tables and a bus's, shared by every
 * connection opened on it. A database used only as a store or only as a bus leaves the other tables empty.
 */
export class MemoryDatabase {
  readonly changes: ChangeHub;
  readonly events = new EventTable();
  readonly commands = new CommandTable();
  readonly documents = new DocumentTable();
  readonly checkpoints = new CheckpointTable();
  readonly outbox = new OutboxTable();
  readonly parked = new ParkedTable();
  readonly deadLetters = new DeadLetterTable();
  readonly timers = new TimerTable();
  readonly consumerStates = new ConsumerStateTable();
  readonly log: TopicLog;
  readonly retention: RetentionBook;
  readonly leases = new LeaseTable();
  readonly slots = new InstanceSlotTable();

  constructor(
    /** For logs and errors, e.g. `memory:default/bank`. */
    readonly description: string,
    clock: Clock,
  ) {
    this.changes = new ChangeHub(clock);
    this.log = new TopicLog(description);
    this.retention = new RetentionBook(this.log);
  }
}
