import { defineReadModel, type Service } from '@parley/core';
import { z } from 'zod';
import { bankEvents } from './bankEvents.ts';

/** One statement line per account: the balance as the statements service sees it. */
export const statements = defineReadModel({
  name: 'statements',
  schema: z.object({ accountId: z.string(), balance: z.number().int(), movements: z.number().int() }),
});

/** Registers the projection that keeps statements up to date from the bank's topic. */
export function withStatements(service: Service): Service {
  return service.consumer({
    name: 'statements-projection',
    source: bankEvents,
    handle: {
      MoneyMoved: async ({ payload }, ctx) => {
        const current = (await ctx.readModel(statements).get(payload.accountId)) ?? {
          accountId: payload.accountId,
          balance: 0,
          movements: 0,
        };
        await ctx.readModel(statements).set(payload.accountId, {
          accountId: payload.accountId,
          balance: current.balance + payload.delta,
          movements: current.movements + 1,
        });
      },
    },
  });
}
