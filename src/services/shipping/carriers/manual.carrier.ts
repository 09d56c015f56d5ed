import type { Carrier } from '../domain/ports.js';
import { tableRateQuote } from './table-rate.js';

/**
 * manual: the store hands the parcel over itself (pickup, own courier) at the configured price.
 * There is no outside system: booking hands out no tracking number (the shipment waits in
 * `manual` until staff move it), there is nothing to track, and cancelling voids nothing.
 */
export function createManualCarrier(): Carrier {
  return {
    name: 'manual',
    tracks: false,
    rate: tableRateQuote,
    createShipment: async () => ({ trackingNumber: null, labelUrl: null }),
    track: async (trackingNumber) => {
      throw new Error(`the manual carrier keeps no tracking (asked for ${trackingNumber})`);
    },
    cancel: async () => undefined,
  };
}
