import { AppError } from '../../../platform/errors/app-error.js';
import {
  currencyExponent,
  divideRounded,
  isCurrency,
  type Money,
  money,
  parseDecimal,
} from '../../../platform/money.js';

/**
 * Currency conversion with exact fractions (PR-P0-02, PR-P0-03). A stored rate says how many
 * units of `quote` one unit of `base` buys; the inverse direction uses 1/rate as the exact
 * fraction denominator/numerator, never a rounded decimal. A rate older than the maximum age is
 * refused at the moment of use, whatever any cache holds.
 */
export interface ExchangeRate {
  base: string;
  quote: string;
  /** Decimal string, e.g. "1.0856". */
  rate: string;
  fetchedAt: Date;
}

export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

/** The rate to use from `from` to `to`, with where it came from. */
export interface PairRate {
  fraction: Fraction;
  fetchedAt: Date;
  /** The stored pair, e.g. "USD/EUR" (an inverse use names the stored pair too). */
  pair: string;
}

export const pairLabel = (base: string, quote: string): string => `${base}/${quote}`;

/** Pairs that can convert `from` → `to`: the direct one and the inverse one. */
export const pairsFor = (from: string, to: string): [string, string][] => [
  [from, to],
  [to, from],
];

/**
 * Picks the freshest stored rate converting `from` → `to` among the direct and the inverse pair;
 * `undefined` when neither is stored.
 */
export function pairRate(rates: readonly ExchangeRate[], from: string, to: string): PairRate | undefined {
  let best: PairRate | undefined;
  for (const r of rates) {
    const direct = r.base === from && r.quote === to;
    const inverse = r.base === to && r.quote === from;
    if (!direct && !inverse) continue;
    if (best && best.fetchedAt.getTime() >= r.fetchedAt.getTime()) continue;
    const f = parseDecimal(r.rate);
    best = {
      fraction: direct ? f : { numerator: f.denominator, denominator: f.numerator },
      fetchedAt: r.fetchedAt,
      pair: pairLabel(r.base, r.quote),
    };
  }
  return best;
}

export const isStale = (fetchedAt: Date, now: Date, maxAgeMs: number): boolean =>
  now.getTime() - fetchedAt.getTime() > maxAgeMs;

export function staleRate(rate: PairRate, now: Date, maxAgeMs: number): AppError {
  const minutes = Math.floor((now.getTime() - rate.fetchedAt.getTime()) / 60_000);
  return new AppError(
    'unprocessable',
    'exchange_rate_stale',
    `Exchange rate ${rate.pair} was fetched ${minutes} minutes ago, more than the allowed ` +
      `${Math.floor(maxAgeMs / 60_000)}; refresh it before converting`,
    { extra: { pair: rate.pair, fetchedAt: rate.fetchedAt.toISOString() } },
  );
}

export const missingRate = (from: string, to: string): AppError =>
  new AppError(
    'unprocessable',
    'exchange_rate_missing',
    `No exchange rate between ${from} and ${to} is configured`,
    { extra: { pair: pairLabel(from, to) } },
  );

/**
 * `m` × fraction into `to`, adjusting for minor-unit exponents (JPY has none, BHD three) and
 * rounding half away from zero; the result is range-checked like every Money.
 */
export function convertExact(m: Money, to: string, fraction: Fraction): Money {
  if (!isCurrency(to)) throw new AppError('validation', 'validation_failed', `Invalid currency ${to}`);
  const shift = currencyExponent(to) - currencyExponent(m.currency);
  const numerator = shift >= 0 ? fraction.numerator * 10n ** BigInt(shift) : fraction.numerator;
  const denominator = shift < 0 ? fraction.denominator * 10n ** BigInt(-shift) : fraction.denominator;
  return money(divideRounded(m.amount * numerator, denominator), to);
}

/** Same shape parseDecimal accepts: a positive decimal of at most 12 integer and 12 fraction digits. */
const RATE_RE = /^\d{1,12}(\.\d{1,12})?$/;

/** A rate as accepted from an operator or a provider: positive, exact, bounded. */
export const validRate = (rate: string): boolean => RATE_RE.test(rate) && /[1-9]/.test(rate);
