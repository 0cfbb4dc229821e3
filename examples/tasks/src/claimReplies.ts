import { defineReplyTopic } from '@parley/core';

/**
 * Where the tasks service answers the users service's commands: `CommandAccepted` or `CommandRejected`, keyed by
 * the correlation id, which the users service sets to the user's id.
 */
export const claimReplies = defineReplyTopic('users-claim-replies', { partitions: 4 });
