import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../platform/money.js';
import { cartTokenMatches, hashCartToken, isOwner, newCartToken } from './cart-token.js';
import { aggregateBySku, computeTotals, parcelWeightGrams } from './cart-totals.js';

describe('computeTotals', () => {
  it('total = subtotal − discount + shipping + tax, exactly, for any int8-safe amounts', () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 17n });
    fc.assert(
      fc.property(amount, amount, amount, amount, (s, d, sh, t) => {
        const sub = money(s, 'USD');
        const disc = money(d % (s + 1n), 'USD');
        const totals = computeTotals(sub, disc, money(sh, 'USD'), money(t, 'USD'));
        expect(totals.total.amount).toBe(sub.amount - disc.amount + sh + t);
      }),
    );
  });

  it('refuses a total past the int8 range instead of wrapping (PR-P0-03)', () => {
    const big = money(9_000_000_000_000_000_000n, 'USD');
    expect(() => computeTotals(big, money(0n, 'USD'), big, money(0n, 'USD'))).toThrow(/out of range/);
  });
});

describe('parcelWeightGrams', () => {
  it('sums weightGrams × quantity, counting missing or unusable weights as 0 and rounding up', () => {
    expect(
      parcelWeightGrams([
        { quantity: 2, attributes: { weightGrams: 250 } },
        { quantity: 3, attributes: {} },
        { quantity: 1, attributes: { weightGrams: '500' } },
        { quantity: 1, attributes: { weightGrams: -5 } },
        { quantity: 3, attributes: { weightGrams: 0.5 } },
        { quantity: 1, attributes: undefined },
      ]),
    ).toBe(502);
  });

  it('merges lines by sku', () => {
    expect(
      aggregateBySku([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 2 },
    ]);
  });
});

describe('cart tokens (OR-P0-02)', () => {
  it('are 32 random bytes, stored as sha256, matched in constant time', () => {
    const token = newCartToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newCartToken()).not.toBe(token);
    const hash = hashCartToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cartTokenMatches(token, hash)).toBe(true);
    expect(cartTokenMatches(newCartToken(), hash)).toBe(false);
    expect(cartTokenMatches(undefined, hash)).toBe(false);
    expect(cartTokenMatches(`${token}x`, hash)).toBe(false);
    expect(cartTokenMatches(hash, hash)).toBe(false);
  });

  it('binds a customer cart to the customer only, a guest cart to its token only', () => {
    const token = newCartToken();
    const guest = { tokenHash: hashCartToken(token), customerId: null };
    expect(isOwner(guest, { cartToken: token, customerId: undefined })).toBe(true);
    expect(isOwner(guest, { cartToken: undefined, customerId: 'c1' })).toBe(false);
    const customer = { tokenHash: null, customerId: 'c1' };
    expect(isOwner(customer, { cartToken: undefined, customerId: 'c1' })).toBe(true);
    expect(isOwner(customer, { cartToken: token, customerId: 'c2' })).toBe(false);
  });
});
