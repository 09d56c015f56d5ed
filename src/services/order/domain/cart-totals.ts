import { add, type Money, subtract } from '../../../platform/money.js';

/** The totals block of carts and orders: every figure a Money in the cart's currency. */
export interface Totals {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

/** What tax is charged on: goods after discounts plus shipping (documented in docs/checkout.md). */
export const taxableAmount = (subtotal: Money, discount: Money, shipping: Money): Money =>
  add(subtract(subtotal, discount), shipping);

/** total = subtotal − discount + shipping + tax, exact (bigint, int8-range checked: PR-P0-03). */
export function computeTotals(subtotal: Money, discount: Money, shipping: Money, tax: Money): Totals {
  return { subtotal, discount, shipping, tax, total: add(taxableAmount(subtotal, discount, shipping), tax) };
}

/**
 * Parcel weight in grams: catalog attribute `weightGrams` (a non-negative number) × quantity, summed
 * and rounded up to whole grams. A product without a usable weight counts as 0 g (docs/checkout.md).
 */
export function parcelWeightGrams(
  lines: readonly { quantity: number; attributes: Record<string, unknown> | undefined }[],
): number {
  let grams = 0;
  for (const line of lines) {
    const w = line.attributes?.weightGrams;
    if (typeof w === 'number' && Number.isFinite(w) && w > 0) grams += w * line.quantity;
  }
  return Math.ceil(grams);
}

/** Merges lines of the same sku (a cart has one row per sku; callers may pass raw lists). */
export function aggregateBySku<T extends { sku: string; quantity: number }>(lines: readonly T[]) {
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}
