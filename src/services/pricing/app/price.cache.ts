import { LRUCache } from 'lru-cache';
import type { Money } from '../../../platform/money.js';

/**
 * In-process cache of resolved unit prices (PR-P0-01). Keys are canonical structured keys —
 * `JSON.stringify([sku, currency])` — so two different inputs can never share a key the way
 * `${sku}:${currency}` could ("A:B" + "C" vs "A" + "B:C"); values are only ever written from the
 * database, never from a request.
 *
 * Invalidation: a price change drops every entry of its skus, a rate change drops everything (a
 * converted price depends on it), both in this process right after the commit. Other replicas
 * see the change when their entry's TTL (PRICING_CACHE_TTL_SECONDS) ends: a consumer of
 * `pricing.price.changed` would not help, because a consumer group hands each event to ONE
 * replica. An entry also ends when the price it holds is scheduled to change (`changesAt`), and
 * a converted price is re-checked against the rate's age at every use.
 */
export interface CachedPrice {
  /** null: no price (negative entries spare the database the same miss on every page view). */
  unit: Money | null;
  /** When a price of this sku starts or ends next; the entry is void from then on. */
  changesAt: Date | null;
  /** For a converted price: when its rate was fetched (PR-P0-02: age checked on every read). */
  rateFetchedAt: Date | null;
}

export interface PriceCache {
  get(sku: string, currency: string, now: Date, maxRateAgeMs: number): CachedPrice | undefined;
  /**
   * Stores an entry read from the database when no invalidation happened since `generation` was
   * taken (before the read): a change that commits during the read is never cached over.
   */
  set(sku: string, currency: string, entry: CachedPrice, generation: number): void;
  invalidateSkus(skus: Iterable<string>): void;
  clear(): void;
  /** Bumped by every invalidation. */
  readonly generation: number;
  readonly size: number;
}

const cacheKey = (sku: string, currency: string): string => JSON.stringify([sku, currency]);

/** A cache that keeps nothing: used when the TTL or the size is configured as 0. */
const noCache: PriceCache = {
  get: () => undefined,
  set: () => undefined,
  invalidateSkus: () => undefined,
  clear: () => undefined,
  generation: 0,
  size: 0,
};

export function createPriceCache(options: { ttlSeconds: number; maxEntries: number }): PriceCache {
  if (options.ttlSeconds === 0 || options.maxEntries === 0) return noCache;
  // sku → currencies cached for it, so a price change drops exactly that sku's entries.
  const bySku = new Map<string, Set<string>>();
  let generation = 0;
  const lru = new LRUCache<string, CachedPrice & { sku: string; currency: string }>({
    max: options.maxEntries,
    ttl: options.ttlSeconds * 1000,
    dispose: (value) => {
      const currencies = bySku.get(value.sku);
      currencies?.delete(value.currency);
      if (currencies?.size === 0) bySku.delete(value.sku);
    },
  });
  return {
    get(sku, currency, now, maxRateAgeMs) {
      const entry = lru.get(cacheKey(sku, currency));
      if (!entry) return undefined;
      const expired =
        (entry.changesAt !== null && entry.changesAt.getTime() <= now.getTime()) ||
        (entry.rateFetchedAt !== null && now.getTime() - entry.rateFetchedAt.getTime() > maxRateAgeMs);
      if (expired) {
        lru.delete(cacheKey(sku, currency));
        return undefined;
      }
      return { unit: entry.unit, changesAt: entry.changesAt, rateFetchedAt: entry.rateFetchedAt };
    },
    set(sku, currency, entry, readAt) {
      if (readAt !== generation) return;
      lru.set(cacheKey(sku, currency), { ...entry, sku, currency });
      let currencies = bySku.get(sku);
      if (!currencies) {
        currencies = new Set();
        bySku.set(sku, currencies);
      }
      currencies.add(currency);
    },
    invalidateSkus(skus) {
      generation++;
      for (const sku of skus) {
        for (const currency of [...(bySku.get(sku) ?? [])]) lru.delete(cacheKey(sku, currency));
      }
    },
    clear() {
      generation++;
      lru.clear();
    },
    get generation() {
      return generation;
    },
    get size() {
      return lru.size;
    },
  };
}
