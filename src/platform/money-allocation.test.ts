import { describe, expect, it } from 'vitest';
import { allocate } from './money-allocation.js';

describe('allocate', () => {
  it.each([
    { total: 100n, weights: [1n, 1n, 1n], expected: [34n, 33n, 33n] },
    { total: 10n, weights: [3n, 3n, 4n], expected: [3n, 3n, 4n] },
    { total: 1n, weights: [1n, 1n], expected: [1n, 0n] },
    { total: 7n, weights: [0n, 5n, 5n], expected: [0n, 4n, 3n] },
    { total: 5n, weights: [0n, 0n], expected: [3n, 2n] },
    { total: 0n, weights: [2n, 9n], expected: [0n, 0n] },
    { total: 999n, weights: [1000n], expected: [999n] },
    { total: 2n, weights: [1n, 2n, 2n], expected: [0n, 1n, 1n] },
    {
      total: 9_223_372_036_854_775_807n,
      weights: [1n, 1n],
      expected: [4_611_686_018_427_387_904n, 4_611_686_018_427_387_903n],
    },
  ])('splits $total over $weights exactly and deterministically', ({ total, weights, expected }) => {
    const shares = allocate(total, weights);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(total);
  });

  it('refuses negative input', () => {
    expect(() => allocate(-1n, [1n])).toThrow(RangeError);
    expect(() => allocate(1n, [-1n])).toThrow(RangeError);
    expect(() => allocate(1n, [])).toThrow(RangeError);
  });
});
