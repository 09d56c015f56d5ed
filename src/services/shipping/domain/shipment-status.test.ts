import { describe, expect, it } from 'vitest';
import {
  allDelivered,
  assertTransition,
  canTransition,
  carrierUpdateApplies,
  SHIPMENT_STATUSES,
  type ShipmentStatus,
  sourcesOf,
} from './shipment-status.js';

/** The table of the shipments brief, written out independently of the table under test. */
const EXPECTED: Record<ShipmentStatus, ShipmentStatus[]> = {
  created: ['carrier_pending', 'label_created', 'manual', 'cancelled'],
  carrier_pending: ['carrier_pending', 'label_created', 'manual', 'cancelled'],
  label_created: ['in_transit', 'out_for_delivery', 'delivered', 'failed_delivery', 'cancelled'],
  manual: ['in_transit', 'out_for_delivery', 'delivered', 'failed_delivery', 'cancelled'],
  in_transit: ['out_for_delivery', 'delivered', 'failed_delivery', 'returned_to_sender'],
  out_for_delivery: ['delivered', 'failed_delivery', 'returned_to_sender'],
  failed_delivery: ['out_for_delivery', 'delivered', 'returned_to_sender'],
  delivered: [],
  returned_to_sender: [],
  cancelled: [],
};

describe('shipment status table', () => {
  const pairs = SHIPMENT_STATUSES.flatMap((from) => SHIPMENT_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s', (from, to) => {
    const allowed = EXPECTED[from].includes(to);
    expect(canTransition(from, to)).toBe(allowed);
    expect(sourcesOf(to).includes(from)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else
      expect(() => assertTransition(from, to)).toThrow(
        expect.objectContaining({ kind: 'conflict', code: 'invalid_transition' }),
      );
  });

  it('terminal statuses go nowhere and nothing returns to created', () => {
    for (const s of ['delivered', 'returned_to_sender', 'cancelled'] as const)
      expect(SHIPMENT_STATUSES.filter((to) => canTransition(s, to))).toEqual([]);
    expect(sourcesOf('created')).toEqual([]);
  });
});

describe('carrier updates (G6)', () => {
  const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

  it('applies a newer allowed scan, including skipped scans', () => {
    expect(carrierUpdateApplies('label_created', null, { status: 'delivered', at: t(1) })).toBe(true);
    expect(carrierUpdateApplies('in_transit', t(1), { status: 'out_for_delivery', at: t(2) })).toBe(true);
  });

  it('ignores repeats, regressions and scans older than the newest applied', () => {
    expect(carrierUpdateApplies('in_transit', t(5), { status: 'in_transit', at: t(6) })).toBe(false);
    expect(carrierUpdateApplies('delivered', t(5), { status: 'in_transit', at: t(6) })).toBe(false);
    expect(carrierUpdateApplies('in_transit', t(5), { status: 'delivered', at: t(4) })).toBe(false);
    // The same instant is not older: a second scan stamped in the same second still applies.
    expect(carrierUpdateApplies('in_transit', t(5), { status: 'delivered', at: t(5) })).toBe(true);
  });
});

describe('allDelivered', () => {
  it('needs every non-cancelled shipment delivered, and at least one', () => {
    expect(allDelivered(['delivered', 'delivered'])).toBe(true);
    expect(allDelivered(['delivered', 'cancelled'])).toBe(true);
    expect(allDelivered(['delivered', 'in_transit'])).toBe(false);
    expect(allDelivered(['cancelled'])).toBe(false);
    expect(allDelivered([])).toBe(false);
  });
});
