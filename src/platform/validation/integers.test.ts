import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INT4_MAX, INT4_MIN, int4, nonNegativeInt4, positiveInt4 } from './integers.js';

describe('int4 helpers', () => {
  it.each([
    [int4(), INT4_MIN, INT4_MAX],
    [positiveInt4(), 1, INT4_MAX],
    [nonNegativeInt4(), 0, INT4_MAX],
  ])('accept exactly the column range %#', (schema, min, max) => {
    for (const ok of [min, max, 1]) expect(schema.safeParse(ok).success).toBe(true);
    for (const bad of [min - 1, max + 1, 2 ** 53, 1.5, Number.NaN, '1'])
      expect(schema.safeParse(bad).success).toBe(false);
  });

  it('show the bound in the JSON Schema (and so in OpenAPI)', () => {
    expect(z.toJSONSchema(positiveInt4())).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 2147483647,
    });
    expect(z.toJSONSchema(positiveInt4().max(999))).toMatchObject({ maximum: 999 });
  });
});
