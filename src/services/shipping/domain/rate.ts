import { add, type Money, money, multiply } from '../../../platform/money.js';

/** An option's pricing configuration (a shipping_options row, as the domain sees it). */
export interface RateTable {
  kind: 'flat' | 'weight';
  baseAmount: bigint;
  perKgAmount: bigint;
  currency: string;
  freeOverAmount: bigint | null;
  countries: readonly string[];
  maxWeightGrams: number | null;
}

export const GRAMS_PER_KG = 1000;

/** Started kilograms: 1 g → 1 kg, 1000 g → 1 kg, 1001 g → 2 kg (carriers bill per started unit). */
export const billableKg = (weightGrams: number): number => Math.ceil(weightGrams / GRAMS_PER_KG);

export const shipsTo = (table: RateTable, country: string): boolean =>
  table.countries.includes('*') || table.countries.includes(country);

export const carries = (table: RateTable, weightGrams: number): boolean =>
  table.maxWeightGrams === null || weightGrams <= table.maxWeightGrams;

/** The carrier's price for a parcel, in the option's currency, before any free-shipping threshold. */
export function tableRate(table: RateTable, weightGrams: number): Money {
  const base = money(table.baseAmount, table.currency);
  if (table.kind === 'flat') return base;
  return add(base, multiply(money(table.perKgAmount, table.currency), billableKg(weightGrams)));
}

/** Free when the goods' value (in the option's currency) reaches the threshold. */
export const isFree = (table: RateTable, subtotalInOptionCurrency: Money): boolean =>
  table.freeOverAmount !== null && subtotalInOptionCurrency.amount >= table.freeOverAmount;
