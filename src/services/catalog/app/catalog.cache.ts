import { cacheKey, createReadCache, type ReadCache } from '../../../platform/cache/read-cache.js';
import type { Product } from '../contract/client.js';

/**
 * The catalog's read cache: products by id and by sku, pages of the public list, category ids by
 * slug — what the storefront reads on every page view and operators change rarely. Price and
 * stock are never in it (pricing and the warehouse answer those per page).
 *
 * Every catalog write (product created or changed, category created) clears it in this process
 * right after its commit: writes are rare, and a cleared cache is obviously right where a
 * targeted one would have to know which list pages a product sits on. Other replicas see the
 * change within CATALOG_CACHE_TTL_SECONDS. The generation guard keeps a read that raced a write
 * from caching what it read before the write.
 */
export interface CatalogCache {
  /** Products: one (by id or sku), none (unknown: a negative entry), or a list page. */
  products: ReadCache<{ products: readonly Product[] }>;
  categories: ReadCache<{ id: string | null }>;
  /** After a catalog write commits. */
  clear(): void;
}

export const productKey = (id: string): string => cacheKey('id', id);
export const skuKey = (sku: string): string => cacheKey('sku', sku);

export function createCatalogCache(options: { ttlSeconds: number; maxEntries: number }): CatalogCache {
  const products = createReadCache<{ products: readonly Product[] }>(options);
  const categories = createReadCache<{ id: string | null }>(options);
  return {
    products,
    categories,
    clear() {
      products.clear();
      categories.clear();
    },
  };
}
