import { defineTopic, publishTo, type EventOf } from '@parley/core';
import { z } from 'zod';
import type { task } from './task.ts';

/** The tasks service's public news: a task was created and may be claimed. */
export const taskEvents = defineTopic({
  name: 'task-events',
  partitions: 4,
  messages: {
    TaskCreated: z.object({ taskId: z.string(), title: z.string() }),
  },
});

/** Publishes `TaskCreated` in the same transaction as the event; claims and completions stay private. */
export const publishTaskEvents = publishTo(taskEvents, (event: EventOf<typeof task>, { entityId }) =>
  event.type === 'TaskCreated'
    ? { type: 'TaskCreated', key: entityId, payload: { taskId: entityId, title: event.data.title } }
    : undefined,
);
