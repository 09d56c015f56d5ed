import type { Carrier } from '../domain/ports.js';
import { carries, shipsTo, tableRate } from '../domain/rate.js';

/**
 * simcarrier: the built-in simulated carrier. Its rates come from its rate tables (the
 * shipping_options rows), like a carrier's published tariff, so quotes are reproducible.
 */
export function createSimcarrier(): Carrier {
  return {
    name: 'simcarrier',
    rate: async (option, parcel) =>
      shipsTo(option, parcel.destination.country) && carries(option, parcel.weightGrams)
        ? tableRate(option, parcel.weightGrams)
        : undefined,
  };
}

/** manual: the store hands the parcel over itself (pickup, own courier) at the configured price. */
export function createManualCarrier(): Carrier {
  return {
    name: 'manual',
    rate: async (option, parcel) =>
      shipsTo(option, parcel.destination.country) && carries(option, parcel.weightGrams)
        ? tableRate(option, parcel.weightGrams)
        : undefined,
  };
}
