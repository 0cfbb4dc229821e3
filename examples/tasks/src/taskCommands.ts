import { defineTopic } from '@parley/core';
import { z } from 'zod';

/**
 * Commands other services send to the tasks service, keyed by task id so that the claims on one task are
 * decided one at a time, in the order they were sent. A sender that wants the outcome sets the `replyTo` and
 * `correlationId` headers.
 */
export const taskCommands = defineTopic({
  name: 'task-commands',
  partitions: 4,
  messages: {
    ClaimTask: z.object({ taskId: z.string(), userId: z.string() }),
    CompleteTask: z.object({ taskId: z.string(), userId: z.string() }),
  },
});
