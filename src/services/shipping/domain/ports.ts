import type { Money } from '../../../platform/money.js';
import type { RateTable } from './rate.js';

export interface Parcel {
  destination: { country: string; postalCode: string };
  weightGrams: number;
}

/**
 * The carrier port (conventions §5). This issue needs the rates operation; shipment creation,
 * tracking and cancellation join it with the shipments issue. A carrier answers undefined when it
 * cannot carry the parcel for that option.
 */
export interface Carrier {
  readonly name: string;
  rate(option: RateTable, parcel: Parcel): Promise<Money | undefined>;
}

/** What shipping needs from pricing: currency conversion with a fresh rate. */
export interface CurrencyConverter {
  convert(amount: Money, to: string): Promise<Money>;
}
