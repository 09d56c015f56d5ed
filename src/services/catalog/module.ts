import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createCategory } from './app/create-category.js';
import { createProduct } from './app/create-product.js';
import type { CatalogDeps } from './app/deps.js';
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

/** Bulk reads are bounded like a page: callers batch larger sets. */
const MAX_BULK = 1000;

/** The catalog's composition root: products and categories, public browsing, admin writes. */
export function createCatalogModule(deps: CatalogModuleDeps): ServiceModule<CatalogClient> {
  const app: CatalogDeps = {
    db: deps.db,
    clock: deps.clock,
    prices: deps.prices,
    availability: deps.availability,
  };

  const client: CatalogClient = {
    async getProducts(ids) {
      const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
      const found = new Map(
        (await inChunks(wanted, (chunk) => repo.findProductsByIds(app.db, chunk))).map((p) => [p.id, p]),
      );
      return wanted.flatMap((id) => found.get(id) ?? []);
    },
    async getProductsBySku(skus) {
      const wanted = [...new Set(skus.flatMap((s) => normalizeSku(s) ?? []))];
      const found = new Map(
        (await inChunks(wanted, (chunk) => repo.findProductsBySkus(app.db, chunk))).map((p) => [p.sku, p]),
      );
      return wanted.flatMap((sku) => found.get(sku) ?? []);
    },
    createProduct: (ctx, input) => createProduct(ctx, app, input),
    createCategory: (ctx, input) => createCategory(ctx, app, input),
    countProducts: () => repo.countProducts(app.db),
  };

  return {
    name: 'catalog',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['catalog.product.created', 'catalog.product.updated'],
    routes: (http) => registerCatalogRoutes(http, app),
    client,
  };
}

/** One query per MAX_BULK ids (usually exactly one), so a huge list never builds a huge statement. */
async function inChunks<T, R>(items: T[], run: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += MAX_BULK) out.push(...(await run(items.slice(i, i + MAX_BULK))));
  return out;
}
