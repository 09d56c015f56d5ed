import { describe, expect, it } from 'vitest';
import { FULFILLMENT_STATUSES } from './fulfillment-status.js';
import { carrierHasIt, catchUpMoves, type PackageProgress, packagesReached } from './package-progress.js';

const pkg = (status: PackageProgress['status'], delivered = false): PackageProgress => ({
  status,
  delivered,
});

describe('carrierHasIt', () => {
  it('is true from in_transit on, false before the carrier took the parcel', () => {
    for (const s of [
      'in_transit',
      'out_for_delivery',
      'delivered',
      'failed_delivery',
      'returned_to_sender',
    ] as const)
      expect(carrierHasIt(s), s).toBe(true);
    for (const s of ['created', 'label_created', 'carrier_pending', 'manual', 'cancelled'] as const)
      expect(carrierHasIt(s), s).toBe(false);
  });
});

describe('packagesReached', () => {
  it('needs every live package shipped, and delivered for allDelivered', () => {
    expect(packagesReached([pkg('shipped'), pkg('ready_to_ship')])).toEqual({
      allShipped: false,
      allDelivered: false,
    });
    expect(packagesReached([pkg('shipped', true), pkg('shipped')])).toEqual({
      allShipped: true,
      allDelivered: false,
    });
    expect(packagesReached([pkg('shipped', true), pkg('cancelled')])).toEqual({
      allShipped: true,
      allDelivered: true,
    });
  });

  it('a fulfillment without live packages reached nothing', () => {
    expect(packagesReached([])).toEqual({ allShipped: false, allDelivered: false });
    expect(packagesReached([pkg('cancelled')])).toEqual({ allShipped: false, allDelivered: false });
  });
});

describe('catchUpMoves', () => {
  const none = { allShipped: false, allDelivered: false };
  const shipped = { allShipped: true, allDelivered: false };
  const delivered = { allShipped: true, allDelivered: true };

  it('moves along the matrix only from ready_to_ship and shipped', () => {
    expect(catchUpMoves('ready_to_ship', none)).toEqual([]);
    expect(catchUpMoves('ready_to_ship', shipped)).toEqual(['shipped']);
    expect(catchUpMoves('ready_to_ship', delivered)).toEqual(['shipped', 'completed']);
    expect(catchUpMoves('shipped', shipped)).toEqual([]);
    expect(catchUpMoves('shipped', delivered)).toEqual(['completed']);
  });

  it('never moves a fulfillment that is done, cancelled or not yet ready', () => {
    for (const s of FULFILLMENT_STATUSES.filter((x) => x !== 'ready_to_ship' && x !== 'shipped'))
      expect(catchUpMoves(s, delivered), s).toEqual([]);
  });
});
