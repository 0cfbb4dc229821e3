import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isValidationError } from '../errors/ValidationError.ts';
import { newMessageId } from '../ids/MessageId.ts';
import { defineTopic } from '../topic/defineTopic.ts';
import { prepareOutgoing } from '../topic/prepareOutgoing.ts';
import { defineEntity } from './defineEntity.ts';
import { validateCommand } from './validateCommand.ts';

const counter = defineEntity({
  name: 'counter',
  initialState: () => ({ total: 0 }),
  commands: { Add: z.object({ n: z.number() }) },
  events: { Added: z.object({ n: z.number() }) },
  decide: (_state, command) => [{ type: 'Added', data: { n: command.data.n } }],
  evolve: (state, event) => ({ total: state.total + event.data.n }),
});
const added = defineTopic({ name: 'added', partitions: 4, messages: { Added: z.object({ n: z.number() }) } });

/** A type a caller might pass, inherited names of every object included. */
const type = fc.oneof(
  fc.string(),
  fc.constantFrom('Add', 'Added', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  fc.integer(),
  fc.constant(null),
);

async function refusedOrAccepted(work: () => unknown): Promise<void> {
  try {
    await work();
  } catch (error) {
    // Bad input gets a clear ValidationError, never a TypeError from deep inside.
    expect(isValidationError(error), String(error)).toBe(true);
  }
}

describe('what callers pass in, whatever it is', () => {
  it('a command is validated or refused with a ValidationError', async () => {
    await fc.assert(
      fc.asyncProperty(type, fc.jsonValue(), async (t, data) => {
        await refusedOrAccepted(() => validateCommand(counter, { type: t as string, data }));
      }),
      { numRuns: 500 },
    );
  });

  it('a publish is prepared or refused with a ValidationError', async () => {
    await fc.assert(
      fc.asyncProperty(type, fc.jsonValue(), fc.oneof(fc.string(), fc.integer()), async (t, payload, key) => {
        await refusedOrAccepted(() =>
          prepareOutgoing(
            added,
            { type: t as 'Added', key: key as string, payload: payload as { n: number } },
            { id: newMessageId(), headers: {}, now: 0 },
          ),
        );
      }),
      { numRuns: 500 },
    );
  });
});
