import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/ValidationError.ts';
import { validate } from './validate.ts';

const libraries = {
  zod: z.object({ seat: z.string(), price: z.number().int().default(10) }),
  valibot: v.object({ seat: v.string(), price: v.optional(v.pipe(v.number(), v.integer()), 10) }),
  arktype: type({ seat: 'string', 'price?': 'number.integer' }),
};

describe('validate with any Standard Schema library', () => {
  for (const [name, schema] of Object.entries(libraries)) {
    it(`${name}: returns the schema's output and reports issues with paths`, async () => {
      const ok = await validate(schema, { seat: 'A1', price: 12 }, 'SeatReserved');
      expect(ok).toMatchObject({ seat: 'A1', price: 12 });
      let error: unknown;
      try {
        await validate(schema, { seat: 7, price: 1.5 }, 'SeatReserved');
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/^invalid SeatReserved: .*seat/);
      expect((error as ValidationError).code).toBe('INVALID');
    });
  }

  it('keeps synchronous schemas synchronous', () => {
    expect(validate(libraries.zod, { seat: 'B2' }, 'x')).toEqual({ seat: 'B2', price: 10 });
  });
});
