import { type RatingSummary, summarize } from '../../review/contract/rating-summary.js';
import type { Product } from '../contract/client.js';
import type { CatalogDeps } from './deps.js';

/** A product as the storefront shows it: with its price in the requested currency and stock. */
export interface ProductView extends Product {
  /** Integer minor units as a string (money is exact), or null when not priced / no pricing service. */
  price: { amount: string; currency: string } | null;
  /** Units available to sell, or null when unknown / no warehouse service. */
  available: number | null;
  /** From the published reviews (review events); null while the product has none. */
  rating: Pick<RatingSummary, 'count' | 'average'> | null;
}

/** The rating summaries of `ids`, read fresh (never cached: a review changes them at any time). */
async function ratings(deps: CatalogDeps, ids: readonly string[]) {
  const rows = await deps.db
    .selectFrom('product_ratings')
    .selectAll()
    .where('product_id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => {
      const { count, average } = summarize({
        1: r.stars_1,
        2: r.stars_2,
        3: r.stars_3,
        4: r.stars_4,
        5: r.stars_5,
      });
      return [r.product_id, count > 0 ? { count, average } : null];
    }),
  );
}

/**
 * Adds price and availability to a page of products with ONE call per port for all its skus
 * (no N+1: OR-P1-06). Absent ports give nulls; a failing port fails the request rather than
 * silently showing products as unpriced.
 */
export async function toProductViews(
  deps: CatalogDeps,
  products: readonly Product[],
  currency: string,
): Promise<ProductView[]> {
  if (products.length === 0) return [];
  const skus = products.map((p) => p.sku);
  const [prices, stock, rated] = await Promise.all([
    deps.prices ? deps.prices.quote(skus, currency) : undefined,
    deps.availability ? deps.availability.available(skus) : undefined,
    ratings(
      deps,
      products.map((p) => p.id),
    ),
  ]);
  return products.map((product) => {
    const price = prices?.get(product.sku);
    const available = stock?.get(product.sku);
    return {
      ...product,
      price: price ? { amount: price.amount.toString(), currency: price.currency } : null,
      available: available ?? null,
      rating: rated.get(product.id) ?? null,
    };
  });
}
