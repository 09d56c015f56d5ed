import type { Money } from '../../../platform/money.js';
import type { Parcel } from '../domain/ports.js';
import { carries, type RateTable, shipsTo, tableRate } from '../domain/rate.js';

/**
 * Rates of the built-in carriers: their rate tables (the shipping_options rows), like a carrier's
 * published tariff, so quotes are reproducible. Undefined when the option cannot carry the parcel.
 */
export async function tableRateQuote(option: RateTable, parcel: Parcel): Promise<Money | undefined> {
  return shipsTo(option, parcel.destination.country) && carries(option, parcel.weightGrams)
    ? tableRate(option, parcel.weightGrams)
    : undefined;
}
