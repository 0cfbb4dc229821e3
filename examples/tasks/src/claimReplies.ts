import { defineReplyTopic } from '@parley/core';
import { task } from './task.ts';

/**
 * Where the tasks service answers the users service's commands: `CommandAccepted` or `CommandRejected`, keyed by
 * the correlation id, which the users service sets to the user's id. A rejection's code is one of the task's.
 */
export const claimReplies = defineReplyTopic('users-claim-replies', { partitions: 4, entity: task });
