import type { Ctx } from '../../../platform/context.js';
import { notFound } from '../../../platform/errors/app-error.js';
import { encodeCursor, MAX_PAGE_SIZE } from '../../../platform/http/pagination.js';
import { isUuid } from '../../../platform/ids.js';
import { isCategorySlug } from '../domain/category.js';
import { normalizeSku } from '../domain/product.js';
import { toPrefixTsQuery } from '../domain/search.js';
import type { CatalogDeps } from './deps.js';
import { categoryIdBySlug, productById, productPage, productsByIds } from './product-reads.js';
import { type ProductView, toProductViews } from './product-view.js';

export interface ProductQuery {
  q?: string | undefined;
  /** Category slug. */
  category?: string | undefined;
  /** Id decoded from the cursor (HTTP decodes and rejects bad cursors). */
  afterId?: string | undefined;
  limit: number;
  currency: string;
}

export interface ProductPage {
  items: ProductView[];
  nextCursor: string | null;
}

const EMPTY: ProductPage = { items: [], nextCursor: null };

/**
 * The public list: active products only, newest first, keyset-paginated. The products come from
 * the catalog cache (catalog.cache.ts); price and availability are asked per page.
 */
export async function listProducts(_ctx: Ctx, deps: CatalogDeps, query: ProductQuery): Promise<ProductPage> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_PAGE_SIZE);
  let categoryId: string | undefined;
  if (query.category !== undefined) {
    // An unknown (or impossible) slug is an empty list, not an error: links to old categories still work.
    const id = isCategorySlug(query.category) ? await categoryIdBySlug(deps, query.category) : null;
    if (id === null) return EMPTY;
    categoryId = id;
  }
  let search: { tsquery: string | undefined; sku: string | undefined } | undefined;
  const q = query.q?.trim();
  if (q) {
    search = { tsquery: toPrefixTsQuery(q), sku: normalizeSku(q) };
    // Nothing searchable (only punctuation): no product can match.
    if (!search.tsquery && !search.sku) return EMPTY;
  }
  const rows = await productPage(deps, {
    status: 'active',
    ...(categoryId ? { categoryId } : {}),
    ...(search ? { search } : {}),
    ...(query.afterId ? { beforeId: query.afterId } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await toProductViews(deps, page, query.currency),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}

/**
 * Bulk get for the storefront (`?ids=`): the active products among `ids`, in the order asked, in
 * one query for those not cached — at most one page, so no cursor.
 */
export async function listProductsByIds(
  _ctx: Ctx,
  deps: CatalogDeps,
  ids: readonly string[],
  currency: string,
): Promise<ProductPage> {
  const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))].slice(0, MAX_PAGE_SIZE);
  const ordered = (await productsByIds(deps, wanted, true)).filter((p) => p.status === 'active');
  return { items: await toProductViews(deps, ordered, currency), nextCursor: null };
}

/** One product by id, archived ones too (order history links to them); 404 when unknown. */
export async function getProduct(
  _ctx: Ctx,
  deps: CatalogDeps,
  id: string,
  currency: string,
): Promise<ProductView> {
  const product = isUuid(id) ? await productById(deps, id.toLowerCase(), true) : undefined;
  if (!product) throw notFound('Product', id.slice(0, 64));
  const [view] = await toProductViews(deps, [product], currency);
  return view!;
}
