import { isRejection } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { task, type TaskState } from './task.ts';

const context = { entityId: 'task-1', commandId: 'c-1', now: new Date(0) };
const open: TaskState = { status: 'open', title: 'Fix the roof' };
const claimed: TaskState = { status: 'claimed', title: 'Fix the roof', claimedBy: 'alice' };

describe('task', () => {
  it('accepts the first claim', () => {
    const decision = task.decide(open, { type: 'Claim', data: { userId: 'alice' } }, context);
    expect(decision).toEqual({ type: 'TaskClaimed', data: { userId: 'alice' } });
  });

  it('refuses a second claim with AlreadyClaimed, naming the holder, and no event', () => {
    const decision = task.decide(claimed, { type: 'Claim', data: { userId: 'bob' } }, context);
    expect(isRejection(decision)).toBe(true);
    expect(decision).toMatchObject({ code: 'AlreadyClaimed', details: { claimedBy: 'alice' } });
  });

  it('lets only the holder complete the task, once', () => {
    expect(task.decide(claimed, { type: 'Complete', data: { userId: 'bob' } }, context)).toMatchObject({
      code: 'NotYourTask',
    });
    const done = task.evolve(claimed, { type: 'TaskCompleted', data: { userId: 'alice' } });
    expect(done).toEqual({ status: 'done', title: 'Fix the roof', claimedBy: 'alice' });
    expect(task.decide(done, { type: 'Complete', data: { userId: 'alice' } }, context)).toMatchObject({
      code: 'AlreadyCompleted',
    });
  });

  it('refuses claims on a task that does not exist', () => {
    expect(
      task.decide(task.initialState(), { type: 'Claim', data: { userId: 'alice' } }, context),
    ).toMatchObject({ code: 'TaskNotFound' });
  });
});
