import { readThrough } from '../../../platform/cache/read-cache.js';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { isCurrency } from '../../../platform/money.js';
import { allowsCache, type ReadOptions } from '../../../platform/read-options.js';
import { type NewRateRow, rateRepository, type StoredRate, type TaxRate } from '../data/rate.repository.js';
import { validRate } from '../domain/exchange.js';
import type { ExchangeRateProvider } from '../domain/ports.js';
import type { PricingDeps } from './deps.js';

/** Exchange and tax rates: operator writes, the refresh job, and the cache reset a rate change needs. */

export const TAX_BPS_MAX = 10_000;

const badPair = (base: string, quote: string): AppError | undefined => {
  const fields = [
    ...(isCurrency(base)
      ? []
      : [{ path: 'params.base', message: 'must be an ISO 4217 currency code such as USD' }]),
    ...(isCurrency(quote)
      ? []
      : [{ path: 'params.quote', message: 'must be an ISO 4217 currency code such as USD' }]),
    ...(base === quote ? [{ path: 'params.quote', message: 'must differ from base' }] : []),
  ];
  return fields.length > 0 ? validationFailed('The currency pair is not valid.', fields) : undefined;
};

/** Stores an operator's rate, fetched now; every converted price in this process is forgotten. */
export async function setExchangeRate(
  ctx: Ctx,
  deps: PricingDeps,
  base: string,
  quote: string,
  rate: string,
): Promise<StoredRate> {
  const invalid = badPair(base, quote);
  if (invalid) throw invalid;
  if (!validRate(rate))
    throw validationFailed('The rate is not valid.', [
      {
        path: 'body.rate',
        message:
          'must be a positive decimal string with at most 12 digits before and after the point, e.g. "1.0856"',
      },
    ]);
  const now = deps.clock.now();
  const row: NewRateRow = {
    id: newId(),
    base,
    quote,
    rate,
    fetchedAt: now,
    source: 'manual',
    createdBy: actorId(ctx),
    now,
  };
  await transaction(deps.db, (tx) => rateRepository.insertRates(tx, [row]));
  deps.cache.clear();
  ctx.logger.info({ base, quote, rate, actor: actorId(ctx) }, 'exchange rate set');
  return { base, quote, rate, fetchedAt: now, source: 'manual' };
}

/**
 * The refresh job's work (PR-P0-02): one snapshot from the provider, validated as a whole, stored
 * in one statement with `fetched_at` = the source's `asOf`, so a source that stopped updating
 * ages out and conversion is refused instead of using it. A snapshot dated in the future is an
 * error (it would never age). Returns how many new rates were stored.
 */
export async function refreshExchangeRates(
  ctx: Ctx,
  deps: PricingDeps,
  provider: ExchangeRateProvider,
  signal: AbortSignal,
): Promise<number> {
  const snapshot = await provider.fetch(signal);
  const now = deps.clock.now();
  const problems: string[] = [];
  if (!isCurrency(snapshot.base))
    problems.push(`base ${JSON.stringify(snapshot.base)} is not an ISO 4217 code`);
  if (snapshot.asOf.getTime() > now.getTime())
    problems.push(`asOf ${snapshot.asOf.toISOString()} is in the future`);
  const entries = Object.entries(snapshot.rates);
  for (const [quote, rate] of entries) {
    if (!isCurrency(quote) || quote === snapshot.base)
      problems.push(`${JSON.stringify(quote)} is not a quote currency`);
    if (!validRate(rate))
      problems.push(`rate ${JSON.stringify(rate)} for ${quote} is not a positive decimal`);
  }
  if (problems.length > 0)
    throw new AppError(
      'unprocessable',
      'exchange_rates_invalid',
      `Exchange rates from ${provider.name} refused: ${problems.join('; ')}`,
    );
  const rows: NewRateRow[] = entries.map(([quote, rate]) => ({
    id: newId(),
    base: snapshot.base,
    quote,
    rate,
    fetchedAt: snapshot.asOf,
    source: provider.name,
    createdBy: actorId(ctx),
    now,
  }));
  const stored = await transaction(deps.db, (tx) => rateRepository.insertRates(tx, rows));
  if (stored > 0) deps.cache.clear();
  ctx.logger.info(
    {
      source: provider.name,
      base: snapshot.base,
      asOf: snapshot.asOf.toISOString(),
      rates: rows.length,
      stored,
    },
    'exchange rates refreshed',
  );
  return stored;
}

export const COUNTRY_RE = /^[A-Z]{2}$/;

/** Sets the tax rate of deliveries to `country` (ISO 3166-1 alpha-2) in basis points (825 = 8.25 %). */
export async function setTaxRate(
  ctx: Ctx,
  deps: PricingDeps,
  country: string,
  rateBps: number,
): Promise<TaxRate> {
  const fields = [
    ...(COUNTRY_RE.test(country)
      ? []
      : [{ path: 'params.country', message: 'must be an ISO 3166-1 alpha-2 code such as DE' }]),
    ...(Number.isInteger(rateBps) && rateBps >= 0 && rateBps <= TAX_BPS_MAX
      ? []
      : [
          {
            path: 'body.rateBps',
            message: `must be a whole number of basis points from 0 to ${TAX_BPS_MAX}`,
          },
        ]),
  ];
  if (fields.length > 0) throw validationFailed('The tax rate is not valid.', fields);
  const saved = await transaction(deps.db, (tx) =>
    rateRepository.upsertTaxRate(tx, { country, rateBps, actor: actorId(ctx), now: deps.clock.now() }),
  );
  // Right after the commit, so this process never serves the old rate to a `cached: true` read.
  deps.taxCache.invalidate([country]);
  ctx.logger.info({ country, rateBps, actor: actorId(ctx) }, 'tax rate set');
  return saved;
}

/**
 * The tax rate of `country` in basis points, null where none is configured. With `cached: true`
 * from the tax cache (keyed by the country code, a fixed-format key); otherwise from the database,
 * which refreshes the cache entry.
 */
export async function taxRateBps(
  deps: PricingDeps,
  country: string,
  opts: ReadOptions | undefined,
): Promise<number | null> {
  const entry = await readThrough(deps.taxCache, country, allowsCache(opts), async () => ({
    rateBps: (await rateRepository.findTaxRate(deps.db, country))?.rateBps ?? null,
  }));
  return entry.rateBps;
}
