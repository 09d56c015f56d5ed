import { describe, expect, it } from 'vitest';
import { checkReturnItems, type DeliveredLine } from './return-items.js';

const A = '00000000-0000-7000-8000-00000000000a';
const B = '00000000-0000-7000-8000-00000000000b';
const delivered: DeliveredLine[] = [
  { id: A, sku: 'MUG', warehouseId: 'w1', quantity: 3, unitPrice: 1000n },
  { id: B, sku: 'CUP', warehouseId: 'w2', quantity: 1, unitPrice: 500n },
];

describe('return items check', () => {
  it('accepts what is left and says whether the order is then fully returned', () => {
    const partial = checkReturnItems(delivered, new Map(), [{ orderItemId: A, quantity: 2 }]);
    expect(partial).toMatchObject({ ok: true, completesOrder: false, lines: [{ id: A, returnQuantity: 2 }] });
    const rest = checkReturnItems(delivered, new Map([[A, 2]]), [
      { orderItemId: A.toUpperCase(), quantity: 1 },
      { orderItemId: B, quantity: 1 },
    ]);
    expect(rest).toMatchObject({ ok: true, completesOrder: true });
  });

  it('names every bad item: unknown, listed twice, more than is left', () => {
    const r = checkReturnItems(delivered, new Map([[A, 3]]), [
      { orderItemId: '00000000-0000-7000-8000-0000000000ff', quantity: 1 },
      { orderItemId: B, quantity: 2 },
      { orderItemId: A, quantity: 1 },
      { orderItemId: B, quantity: 1 },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.index, p.field])).toEqual([
      [0, 'orderItemId'],
      [1, 'quantity'],
      [2, 'quantity'],
      [3, 'orderItemId'],
    ]);
    expect(r.problems[1]!.message).toContain('at most 1');
    expect(r.problems[2]!.message).toContain('already returned');
  });
});
