import { describe, expect, it } from 'vitest';
import {
  allReached,
  assertTransition,
  canTransition,
  FULFILLMENT_STATUSES,
  type FulfillmentStatus,
} from './fulfillment-status.js';

/** The matrix of 02-events.md, written out independently of the table under test. */
const MAIN: FulfillmentStatus[] = [
  'pending',
  'picking',
  'picked',
  'packing',
  'packed',
  'ready_to_ship',
  'shipped',
  'completed',
];
const NOT_SHIPPED: FulfillmentStatus[] = [
  'pending',
  'picking',
  'picked',
  'packing',
  'packed',
  'ready_to_ship',
];

function expected(from: FulfillmentStatus, to: FulfillmentStatus): boolean {
  const i = MAIN.indexOf(from);
  if (i >= 0 && MAIN[i + 1] === to) return true;
  return to === 'cancelled' && NOT_SHIPPED.includes(from);
}

describe('fulfillment status matrix (FUL-P0-02)', () => {
  const pairs = FULFILLMENT_STATUSES.flatMap((from) => FULFILLMENT_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(expected(from, to));
    if (expected(from, to)) expect(() => assertTransition(from, to)).not.toThrow();
    else
      expect(() => assertTransition(from, to)).toThrow(
        expect.objectContaining({ code: 'invalid_transition' }),
      );
  });

  it('completed → picking, shipped → cancelled and self-transitions are refused', () => {
    expect(canTransition('completed', 'picking')).toBe(false);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    for (const s of FULFILLMENT_STATUSES) expect(canTransition(s, s)).toBe(false);
  });
});

describe('allReached', () => {
  it('main-path statuses count further-along fulfillments and ignore cancelled ones', () => {
    expect(allReached(['shipped', 'completed'], 'shipped')).toBe(true);
    expect(allReached(['shipped', 'packed'], 'shipped')).toBe(false);
    expect(allReached(['shipped', 'cancelled'], 'shipped')).toBe(true);
    expect(allReached(['cancelled'], 'shipped')).toBe(false);
  });

  it('cancelled needs every fulfillment cancelled', () => {
    expect(allReached(['cancelled', 'cancelled'], 'cancelled')).toBe(true);
    expect(allReached(['cancelled', 'pending'], 'cancelled')).toBe(false);
    expect(allReached([], 'cancelled')).toBe(false);
  });
});
