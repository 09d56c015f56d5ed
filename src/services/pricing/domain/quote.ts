import { AppError } from '../../../platform/errors/app-error.js';
import { add, type Money, money, multiply, zero } from '../../../platform/money.js';
import type { PriceQuote, QuoteItem, QuoteLine } from '../contract/client.js';
import { convertExact, type ExchangeRate, isStale, type PairRate, pairRate } from './exchange.js';

/**
 * Reading prices: which stored price is in effect now, how a sku without a price in the wanted
 * currency gets one by conversion, and the quote arithmetic (PR-P0-03: exact bigint, every step
 * range-checked by money.ts, so an overflow is an error and never a wrapped total).
 */
export interface PriceRow {
  sku: string;
  currency: string;
  amount: bigint;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export interface SkuPrices {
  /** Price in effect now, per currency. */
  current: Map<string, bigint>;
  /** The next instant any of this sku's prices starts or ends; a cached answer expires then. */
  changesAt: Date | null;
}

/** Groups current and upcoming rows (effective_to null or after now) by sku. */
export function priceBook(rows: readonly PriceRow[], now: Date): Map<string, SkuPrices> {
  const book = new Map<string, SkuPrices>();
  const t = now.getTime();
  for (const row of rows) {
    let entry = book.get(row.sku);
    if (!entry) {
      entry = { current: new Map(), changesAt: null };
      book.set(row.sku, entry);
    }
    const starts = row.effectiveFrom.getTime();
    const inEffect = starts <= t && (row.effectiveTo === null || row.effectiveTo.getTime() > t);
    if (inEffect) entry.current.set(row.currency, row.amount);
    const boundary = starts > t ? row.effectiveFrom : row.effectiveTo;
    if (boundary && boundary.getTime() > t && (!entry.changesAt || boundary < entry.changesAt))
      entry.changesAt = boundary;
  }
  return book;
}

export type Resolution =
  | { kind: 'priced'; unit: Money; rateFetchedAt: Date | null; changesAt: Date | null }
  | { kind: 'missing'; changesAt: Date | null }
  | { kind: 'stale'; rate: PairRate };

/**
 * The unit price of one sku in `currency`: the price in that currency wins; otherwise a price in
 * another currency is converted with the freshest fresh rate (currencies tried in code order, so
 * the answer is deterministic). When only stale rates could convert it, the answer is `stale`.
 */
export function resolveUnitPrice(
  prices: SkuPrices | undefined,
  currency: string,
  rates: readonly ExchangeRate[],
  now: Date,
  maxAgeMs: number,
): Resolution {
  const changesAt = prices?.changesAt ?? null;
  if (!prices) return { kind: 'missing', changesAt };
  const own = prices.current.get(currency);
  if (own !== undefined)
    return { kind: 'priced', unit: money(own, currency), rateFetchedAt: null, changesAt };
  let stale: PairRate | undefined;
  for (const from of [...prices.current.keys()].sort()) {
    const rate = pairRate(rates, from, currency);
    if (!rate) continue;
    if (isStale(rate.fetchedAt, now, maxAgeMs)) {
      stale ??= rate;
      continue;
    }
    const unit = convertExact(money(prices.current.get(from)!, from), currency, rate.fraction);
    return { kind: 'priced', unit, rateFetchedAt: rate.fetchedAt, changesAt };
  }
  return stale ? { kind: 'stale', rate: stale } : { kind: 'missing', changesAt };
}

export function validQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1)
    throw new AppError(
      'validation',
      'validation_failed',
      `Quantity ${quantity} must be a positive whole number`,
      { fields: [{ path: 'quantity', message: 'must be a positive whole number' }] },
    );
}

/**
 * Lines in item order (unit × quantity) and their sum. Items whose sku has no unit price are
 * listed in `missing` and left out of the lines and the subtotal.
 */
export function buildQuote(
  items: readonly QuoteItem[],
  currency: string,
  units: ReadonlyMap<string, Money>,
  skuOf: (item: QuoteItem) => string,
): PriceQuote {
  const lines: QuoteLine[] = [];
  const missing = new Set<string>();
  let subtotal = zero(currency);
  for (const item of items) {
    validQuantity(item.quantity);
    const sku = skuOf(item);
    const unit = units.get(sku);
    if (!unit) {
      missing.add(sku);
      continue;
    }
    const lineTotal = multiply(unit, item.quantity);
    subtotal = add(subtotal, lineTotal);
    lines.push({ sku, quantity: item.quantity, unitPrice: unit, lineTotal });
  }
  return { currency, lines, subtotal, missing: [...missing] };
}
