import { describe, expect, it } from 'vitest';
import { debit, parseTiers, pointsFor, tierFor } from './tiers.js';

describe('loyalty tiers and points', () => {
  const tiers = parseTiers('bronze:0:100,silver:1000:125,gold:5000:150');

  it('parses tiers and refuses bad lists', () => {
    expect(tiers.map((t) => t.name)).toEqual(['bronze', 'silver', 'gold']);
    expect(() => parseTiers('silver:10:100')).toThrow(/start at 0/);
    expect(() => parseTiers('a:0:100,b:50:120,c:50:130')).toThrow(/ascending/);
    expect(() => parseTiers('a:0:100,a:5:120')).toThrow(/repeat/);
  });

  it.each([
    [0n, 'bronze'],
    [999n, 'bronze'],
    [1000n, 'silver'],
    [4999n, 'silver'],
    [5000n, 'gold'],
    [10n ** 12n, 'gold'],
  ])('lifetime %s is %s', (points, name) => expect(tierFor(tiers, points).name).toBe(name));

  it.each([
    // total minor, exponent, per unit, tier, points
    [12_345n, 2, 1, 'bronze', 123n],
    [12_345n, 2, 1, 'silver', 154n], // 123.45 × 1.25 = 154.31
    [12_345n, 2, 2, 'gold', 370n], // 123.45 × 2 × 1.5 = 370.35
    [99n, 2, 1, 'gold', 1n],
    [50n, 2, 1, 'bronze', 0n],
    [5000n, 0, 1, 'bronze', 5000n], // JPY has no minor unit
    [0n, 2, 1, 'gold', 0n],
  ])('%s minor (exp %s) × %s per unit at %s earns %s', (total, exp, perUnit, tier, points) =>
    expect(pointsFor(total, exp, perUnit, tiers.find((t) => t.name === tier)!)).toBe(points),
  );

  it('debits never below zero and records the shortfall', () => {
    expect(debit(100n, 30n)).toEqual({ taken: 30n, shortfall: 0n });
    expect(debit(20n, 30n)).toEqual({ taken: 20n, shortfall: 10n });
    expect(debit(0n, 30n)).toEqual({ taken: 0n, shortfall: 30n });
  });
});
