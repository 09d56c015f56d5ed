import { readThrough } from '../../../platform/cache/read-cache.js';
import type { Product } from '../contract/client.js';
import { type ProductListFilter, catalogRepository as repo } from '../data/catalog.repository.js';
import { productKey, skuKey } from './catalog.cache.js';
import type { CatalogDeps } from './deps.js';

/** Bulk reads are bounded like a page: callers batch larger sets. */
const MAX_BULK = 1000;

/**
 * Products for `wanted` values (ids or skus, already canonical and distinct), in that order,
 * unknown ones left out. With `useCache`, cached entries first; the rest in ONE query per
 * MAX_BULK values (usually exactly one), and what it reads — unknown values too, as negative
 * entries — refreshes the cache.
 */
async function productsBy(
  deps: CatalogDeps,
  wanted: readonly string[],
  useCache: boolean,
  by: {
    key: (value: string) => string;
    of: (p: Product) => string;
    load: (values: string[]) => Promise<Product[]>;
  },
): Promise<Product[]> {
  const found = new Map<string, Product | undefined>();
  const missing: string[] = [];
  for (const value of wanted) {
    const hit = useCache ? deps.cache.products.get(by.key(value)) : undefined;
    if (hit) found.set(value, hit.products[0]);
    else missing.push(value);
  }
  if (missing.length > 0) {
    const generation = deps.cache.products.generation;
    const loaded = new Map<string, Product>();
    for (let i = 0; i < missing.length; i += MAX_BULK)
      for (const p of await by.load(missing.slice(i, i + MAX_BULK))) loaded.set(by.of(p), p);
    for (const value of missing) {
      const p = loaded.get(value);
      found.set(value, p);
      deps.cache.products.set(by.key(value), { products: p ? [p] : [] }, generation);
    }
  }
  return wanted.flatMap((value) => found.get(value) ?? []);
}

export const productsByIds = (deps: CatalogDeps, ids: readonly string[], useCache: boolean) =>
  productsBy(deps, ids, useCache, {
    key: productKey,
    of: (p) => p.id,
    load: (chunk) => repo.findProductsByIds(deps.db, chunk),
  });

export const productsBySkus = (deps: CatalogDeps, skus: readonly string[], useCache: boolean) =>
  productsBy(deps, skus, useCache, {
    key: skuKey,
    of: (p) => p.sku,
    load: (chunk) => repo.findProductsBySkus(deps.db, chunk),
  });

/** One product by id (any status); undefined when unknown. */
export async function productById(
  deps: CatalogDeps,
  id: string,
  useCache: boolean,
): Promise<Product | undefined> {
  const [product] = await productsByIds(deps, [id], useCache);
  return product;
}

/** A page of the public list: the same filter asks the same query, so its answer is cached whole. */
export async function productPage(deps: CatalogDeps, filter: ProductListFilter): Promise<readonly Product[]> {
  const key = JSON.stringify([
    'page',
    filter.status ?? null,
    filter.categoryId ?? null,
    filter.search?.tsquery ?? null,
    filter.search?.sku ?? null,
    filter.beforeId ?? null,
    filter.limit,
  ]);
  const { products } = await readThrough(deps.cache.products, key, true, async () => ({
    products: await repo.listProducts(deps.db, filter),
  }));
  return products;
}

/** The id of the category with this slug; null when there is none. */
export async function categoryIdBySlug(deps: CatalogDeps, slug: string): Promise<string | null> {
  const { id } = await readThrough(deps.cache.categories, slug, true, async () => ({
    id: (await repo.findCategoryBySlug(deps.db, slug))?.id ?? null,
  }));
  return id;
}
