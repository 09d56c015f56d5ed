import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { ReadOptions } from '../../../platform/read-options.js';

/** A product as other services see it. */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  attributes: Record<string, string | number | boolean>;
  status: 'active' | 'archived';
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Category {
  id: string;
  slug: string;
  name: string;
  parent: string | null;
}

export interface NewProduct {
  sku: string;
  name: string;
  description?: string | undefined;
  category?: string | undefined;
  attributes?: Record<string, string | number | boolean> | undefined;
}

export interface CatalogClient extends EventHistory {
  /**
   * Bulk get (no N+1, OR-P1-06): products in the order of `ids`, missing ids left out. Read on
   * the catalog's database by default; `{ cached: true }` may use the catalog's cache.
   */
  getProducts(ids: readonly string[], opts?: ReadOptions): Promise<Product[]>;
  /** As getProducts, by sku (normalized as the catalog stores it). */
  getProductsBySku(skus: readonly string[], opts?: ReadOptions): Promise<Product[]>;
  createProduct(ctx: Ctx, input: NewProduct): Promise<Product>;
  createCategory(
    ctx: Ctx,
    input: { slug: string; name: string; parent?: string | undefined },
  ): Promise<Category>;
  /** Number of products; the demo seed runs only into an empty catalog. */
  countProducts(): Promise<number>;
}
