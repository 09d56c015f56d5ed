import { allowsCache, type ReadOptions } from '../../../platform/read-options.js';
import { priceRepository } from '../data/price.repository.js';
import { rateRepository } from '../data/rate.repository.js';
import { pairsFor } from '../domain/exchange.js';
import { priceBook, type Resolution, resolveUnitPrice } from '../domain/quote.js';
import type { PricingDeps } from './deps.js';

/**
 * Unit prices of many skus in one currency: with `cached: true` cached entries first; then ONE
 * query for the prices of all the others (every currency, current and upcoming) and one for the
 * rates they need. Without it (checkout's quote) every sku is read from the database; what it
 * reads still refreshes the cache. Answers that depend on a stale rate are never cached.
 */
export async function resolveUnitPrices(
  deps: PricingDeps,
  skus: readonly string[],
  currency: string,
  opts?: ReadOptions,
): Promise<Map<string, Resolution>> {
  const now = deps.clock.now();
  const out = new Map<string, Resolution>();
  const misses: string[] = [];
  const useCache = allowsCache(opts);
  for (const sku of new Set(skus)) {
    const cached = useCache ? deps.cache.get(sku, currency, now, deps.maxRateAgeMs) : undefined;
    if (!cached) misses.push(sku);
    else if (cached.unit)
      out.set(sku, {
        kind: 'priced',
        unit: cached.unit,
        rateFetchedAt: cached.rateFetchedAt,
        changesAt: cached.changesAt,
      });
    else out.set(sku, { kind: 'missing', changesAt: cached.changesAt });
  }
  if (misses.length === 0) return out;

  const generation = deps.cache.generation;
  const book = priceBook(await priceRepository.currentAndUpcoming(deps.db, misses, now), now);
  const pairs = new Map<string, [string, string]>();
  for (const prices of book.values()) {
    if (prices.current.has(currency)) continue;
    for (const from of prices.current.keys())
      for (const pair of pairsFor(from, currency)) pairs.set(JSON.stringify(pair), pair);
  }
  const rates = await rateRepository.latestRates(deps.db, [...pairs.values()]);
  for (const sku of misses) {
    const resolution = resolveUnitPrice(book.get(sku), currency, rates, now, deps.maxRateAgeMs);
    out.set(sku, resolution);
    if (resolution.kind !== 'stale')
      deps.cache.set(
        sku,
        currency,
        {
          unit: resolution.kind === 'priced' ? resolution.unit : null,
          changesAt: resolution.changesAt,
          rateFetchedAt: resolution.kind === 'priced' ? resolution.rateFetchedAt : null,
        },
        generation,
      );
  }
  return out;
}
