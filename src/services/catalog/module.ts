import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import { allowsCache } from '../../platform/read-options.js';
import { createCatalogCache } from './app/catalog.cache.js';
import { createCategory } from './app/create-category.js';
import { createProduct } from './app/create-product.js';
import type { CatalogDeps } from './app/deps.js';
import { productsByIds, productsBySkus } from './app/product-reads.js';
import { ratingConsumers } from './consumers/rating.consumers.js';
import type { CatalogClient } from './contract/client.js';
import { catalogRepository as repo } from './data/catalog.repository.js';
import type { CatalogDB } from './data/tables.js';
import type { AvailabilityLookup, PriceLookup } from './domain/ports.js';
import { normalizeSku } from './domain/product.js';
import { registerCatalogRoutes } from './http/catalog.routes.js';

export type CatalogModuleDeps = PlatformDeps<CatalogDB> & {
  /** Pricing service adapter; without it product prices are null. */
  prices?: PriceLookup;
  /** Warehouse service adapter; without it availability is null. */
  availability?: AvailabilityLookup;
};

/** The catalog's composition root: products and categories, public browsing, admin writes. */
export function createCatalogModule(deps: CatalogModuleDeps): ServiceModule<CatalogClient> {
  const app: CatalogDeps = {
    db: deps.db,
    clock: deps.clock,
    cache: createCatalogCache({
      ttlSeconds: deps.config.CATALOG_CACHE_TTL_SECONDS,
      maxEntries: deps.config.CATALOG_CACHE_MAX_ENTRIES,
    }),
    prices: deps.prices,
    availability: deps.availability,
  };

  const client: CatalogClient = {
    ...createEventHistory(deps.db),
    getProducts: (ids, opts) =>
      productsByIds(app, [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))], allowsCache(opts)),
    getProductsBySku: (skus, opts) =>
      productsBySkus(app, [...new Set(skus.flatMap((s) => normalizeSku(s) ?? []))], allowsCache(opts)),
    createProduct: (ctx, input) => createProduct(ctx, app, input),
    createCategory: (ctx, input) => createCategory(ctx, app, input),
    countProducts: () => repo.countProducts(app.db),
  };

  return {
    name: 'catalog',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['catalog.product.created', 'catalog.product.updated'],
    consumers: ratingConsumers(deps.clock),
    routes: (http) => registerCatalogRoutes(http, app),
    client,
  };
}
