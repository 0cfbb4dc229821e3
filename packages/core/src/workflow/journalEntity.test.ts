import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../entity/defineEntity.ts';
import type { Bus } from '../ports/Bus.ts';
import type { Store } from '../ports/Store.ts';
import { createService } from '../service/createService.ts';
import { silentLogger } from '../logging/Logger.ts';

const named = (name: string) =>
  defineEntity({
    name,
    initialState: () => ({}),
    commands: { Touch: z.object({}) },
    events: { Touched: z.object({}) },
    decide: () => [],
    evolve: (state) => state,
  });

describe('workflow journals', () => {
  it('are the runtime’s own: a service refuses an entity of its own named like one', () => {
    const service = createService({ name: 'shop', store: {} as Store, bus: {} as Bus, logger: silentLogger });
    expect(() => service.entity(named('workflow.checkout'))).toThrow(/workflow\. are the workflow journals/);
    expect(() => service.entity(named('workflows-audit'))).not.toThrow();
  });
});
