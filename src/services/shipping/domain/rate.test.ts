import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billableKg, carries, isFree, type RateTable, shipsTo, tableRate } from './rate.js';

const express: RateTable = {
  kind: 'weight',
  baseAmount: 999n,
  perKgAmount: 200n,
  currency: 'USD',
  freeOverAmount: null,
  countries: ['US', 'CA'],
  maxWeightGrams: 30_000,
};
const standard: RateTable = {
  ...express,
  kind: 'flat',
  baseAmount: 499n,
  perKgAmount: 0n,
  freeOverAmount: 5000n,
  countries: ['*'],
};

describe('shipping rates', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [2500, 3],
  ])('%i g bills %i started kg', (grams, kg) => expect(billableKg(grams)).toBe(kg));

  it('prices weight-based options exactly: base + per started kg', () => {
    expect(tableRate(express, 2500)).toEqual({ amount: 999n + 3n * 200n, currency: 'USD' });
    expect(tableRate(express, 0)).toEqual({ amount: 999n, currency: 'USD' });
  });

  it('prices flat options regardless of weight', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), (g) => tableRate(standard, g).amount === 499n),
    );
  });

  it('never gets cheaper as the parcel gets heavier', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 29_000 }),
        fc.integer({ min: 0, max: 1000 }),
        (g, extra) => tableRate(express, g + extra).amount >= tableRate(express, g).amount,
      ),
    );
  });

  it('is free from the threshold on, not below', () => {
    expect(isFree(standard, { amount: 4999n, currency: 'USD' })).toBe(false);
    expect(isFree(standard, { amount: 5000n, currency: 'USD' })).toBe(true);
    expect(isFree(express, { amount: 10n ** 12n, currency: 'USD' })).toBe(false);
  });

  it('filters by destination and weight limit', () => {
    expect(shipsTo(express, 'US')).toBe(true);
    expect(shipsTo(express, 'DE')).toBe(false);
    expect(shipsTo(standard, 'DE')).toBe(true);
    expect(carries(express, 30_000)).toBe(true);
    expect(carries(express, 30_001)).toBe(false);
  });
});
