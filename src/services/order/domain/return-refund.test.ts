import { describe, expect, it } from 'vitest';
import { goodsValue, type OrderAmounts, refundableOf, returnRefund } from './return-refund.js';

const order = (subtotal: bigint, discount: bigint, tax: bigint, shipping: bigint): OrderAmounts => ({
  subtotal,
  shipping,
  total: subtotal - discount + tax + shipping,
});
const partial = { completesOrder: false, refundedBefore: 0n };

describe('return refund', () => {
  it('refunds the goods at their price when there is no discount or tax, never the shipping', () => {
    const o = order(3000n, 0n, 0n, 500n);
    expect(refundableOf(o)).toBe(3000n);
    expect(returnRefund(o, [{ unitPrice: 1000n, quantity: 2 }], partial)).toBe(2000n);
    expect(
      returnRefund(o, [{ unitPrice: 1000n, quantity: 3 }], { completesOrder: true, refundedBefore: 0n }),
    ).toBe(3000n);
  });

  it("gives each return its share of the order's discount and tax", () => {
    // 3 × 1000, 10 % off (300), 10 % tax on the discounted goods (270), shipping 500.
    const o = order(3000n, 300n, 270n, 500n);
    expect(o.total).toBe(3470n);
    expect(refundableOf(o)).toBe(2970n);
    expect(returnRefund(o, [{ unitPrice: 1000n, quantity: 1 }], partial)).toBe(990n);
  });

  it('rounds partial returns down and lets the last return take exactly what is left', () => {
    // 3 × 333 with 100 tax: one unit's share is 366.33…
    const o = order(999n, 0n, 100n, 0n);
    const one = [{ unitPrice: 333n, quantity: 1 }];
    const first = returnRefund(o, one, partial);
    const second = returnRefund(o, one, { completesOrder: false, refundedBefore: first });
    const last = returnRefund(o, one, { completesOrder: true, refundedBefore: first + second });
    expect([first, second, last]).toEqual([366n, 366n, 367n]);
    expect(first + second + last).toBe(refundableOf(o));
  });

  it('splits any order into returns that add up to its refundable amount exactly', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let run = 0; run < 200; run++) {
      const lines = Array.from({ length: 1 + rand(4) }, () => ({
        unitPrice: BigInt(1 + rand(50_000)),
        quantity: 1 + rand(5),
      }));
      const subtotal = goodsValue(lines);
      const o = order(subtotal, BigInt(rand(Number(subtotal))), BigInt(rand(10_000)), BigInt(rand(2_000)));
      // Return one unit at a time, in line order.
      const units = lines.flatMap((l) => Array.from({ length: l.quantity }, () => l.unitPrice));
      let refunded = 0n;
      units.forEach((unitPrice, i) => {
        const r = returnRefund(o, [{ unitPrice, quantity: 1 }], {
          completesOrder: i === units.length - 1,
          refundedBefore: refunded,
        });
        expect(r >= 0n).toBe(true);
        refunded += r;
      });
      expect(refunded).toBe(refundableOf(o));
    }
  });

  it('refunds nothing for free goods and never more than is left', () => {
    expect(returnRefund(order(0n, 0n, 0n, 500n), [{ unitPrice: 0n, quantity: 1 }], partial)).toBe(0n);
    const o = order(1000n, 0n, 0n, 0n);
    expect(
      returnRefund(o, [{ unitPrice: 500n, quantity: 1 }], { completesOrder: false, refundedBefore: 800n }),
    ).toBe(200n);
    expect(
      returnRefund(o, [{ unitPrice: 500n, quantity: 1 }], { completesOrder: true, refundedBefore: 1200n }),
    ).toBe(0n);
  });
});
