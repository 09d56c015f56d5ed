import type { Product } from '../contract/client.js';
import type { CatalogDeps } from './deps.js';

/** A product as the storefront shows it: with its price in the requested currency and stock. */
export interface ProductView extends Product {
  /** Integer minor units as a string (money is exact), or null when not priced / no pricing service. */
  price: { amount: string; currency: string } | null;
  /** Units available to sell, or null when unknown / no warehouse service. */
  available: number | null;
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
  const [prices, stock] = await Promise.all([
    deps.prices ? deps.prices.quote(skus, currency) : undefined,
    deps.availability ? deps.availability.available(skus) : undefined,
  ]);
  return products.map((product) => {
    const price = prices?.get(product.sku);
    const available = stock?.get(product.sku);
    return {
      ...product,
      price: price ? { amount: price.amount.toString(), currency: price.currency } : null,
      available: available ?? null,
    };
  });
}
