import { defineReplyTopic } from '@parley/core';

/**
 * Where the wallet answers the reservation workflow's charges: `CommandAccepted`, or `CommandRejected` with
 * `InsufficientFunds` (the wallet's own rejection) or `PaymentFailed` (the gateway kept failing and the charge
 * was escalated from the dead-letter store).
 */
export const walletReplies = defineReplyTopic('wallet-replies', { partitions: 4 });

/** The rejection code of a charge that could not be made at all (poison wallet, gateway down). */
export const PAYMENT_FAILED = 'PaymentFailed';
