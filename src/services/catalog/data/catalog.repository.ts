import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Category, Product } from '../contract/client.js';
import type { ProductChanges } from '../domain/product.js';
import type { CatalogDB, CategoriesTable } from './tables.js';

/**
 * Catalog data access. Reads take any handle (the service's Kysely or a transaction); writes
 * require a `Transaction`, so each use case runs its writes — and, with the outbox, its events —
 * atomically. Every query is parameterized and bounded (a page, a list of ids, or the categories).
 */
type Db = Kysely<CatalogDB>;
type Tx = Transaction<CatalogDB>;

// Reusable fragment: a product with its category's slug (aliases keep the schema prefix on tables only).
const selectProducts = (db: Db) =>
  db
    .selectFrom('products as p')
    .leftJoin('categories as c', 'c.id', 'p.category_id')
    .select([
      'p.id',
      'p.sku',
      'p.name',
      'p.description',
      'p.attributes',
      'p.status',
      'p.version',
      'p.created_at',
      'p.updated_at',
      'c.slug as category',
    ]);

type ProductRow = Awaited<ReturnType<ReturnType<typeof selectProducts>['executeTakeFirstOrThrow']>>;

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    attributes: row.attributes,
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

type CategoryRow = Selectable<CategoriesTable>;

export interface ProductListFilter {
  status?: Product['status'];
  categoryId?: string;
  /** Prefix tsquery (from domain/search) and/or an exact sku; a product matching either is found. */
  search?: { tsquery: string | undefined; sku: string | undefined };
  /** Keyset pagination: only ids below this one. */
  beforeId?: string;
  limit: number;
}

export interface NewProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  categoryId: string | null;
  attributes: Product['attributes'];
  now: Date;
}

export type ProductUpdate = Omit<ProductChanges, 'categorySlug'> & { categoryId?: string | null };

export const catalogRepository = {
  async findCategoryBySlug(db: Db, slug: string): Promise<CategoryRow | undefined> {
    return db.selectFrom('categories').selectAll().where('slug', '=', slug).executeTakeFirst();
  },

  async listCategories(db: Db): Promise<Category[]> {
    const rows = await db
      .selectFrom('categories as c')
      .leftJoin('categories as parent', 'parent.id', 'c.parent_id')
      .select(['c.id', 'c.slug', 'c.name', 'parent.slug as parent'])
      .orderBy('c.slug')
      .execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, parent: r.parent }));
  },

  /** Inserts a category; `undefined` when the slug is taken (ON CONFLICT keeps the transaction usable). */
  async insertCategory(
    tx: Tx,
    row: { id: string; slug: string; name: string; parentId: string | null; now: Date },
  ): Promise<CategoryRow | undefined> {
    return tx
      .insertInto('categories')
      .values({
        id: row.id,
        slug: row.slug,
        name: row.name,
        parent_id: row.parentId,
        created_at: row.now,
        updated_at: row.now,
      })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  /** Inserts a product; `false` when the sku is taken. */
  async insertProduct(tx: Tx, row: NewProductRow): Promise<boolean> {
    const inserted = await tx
      .insertInto('products')
      .values({
        id: row.id,
        sku: row.sku,
        name: row.name,
        description: row.description,
        category_id: row.categoryId,
        attributes: JSON.stringify(row.attributes),
        status: 'active',
        created_at: row.now,
        updated_at: row.now,
      })
      .onConflict((oc) => oc.column('sku').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /**
   * One conditional UPDATE (never read-modify-write): bumps the version and, when
   * `expectedVersion` is given, applies only if the row still has it. `false` when no row
   * matched — unknown id or stale version; the caller tells them apart.
   */
  async updateProduct(
    tx: Tx,
    id: string,
    changes: ProductUpdate,
    expectedVersion: number | undefined,
    now: Date,
  ): Promise<boolean> {
    let query = tx
      .updateTable('products')
      .set((eb) => ({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.categoryId !== undefined ? { category_id: changes.categoryId } : {}),
        ...(changes.attributes !== undefined ? { attributes: JSON.stringify(changes.attributes) } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id);
    if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
    const updated = await query.returning('id').executeTakeFirst();
    return updated !== undefined;
  },

  async findProduct(db: Db, id: string): Promise<Product | undefined> {
    const row = await selectProducts(db).where('p.id', '=', id).executeTakeFirst();
    return row ? toProduct(row) : undefined;
  },

  /** Products with these ids (one query), in no particular order. */
  async findProductsByIds(db: Db, ids: readonly string[], status?: Product['status']): Promise<Product[]> {
    if (ids.length === 0) return [];
    let query = selectProducts(db).where('p.id', 'in', [...ids]);
    if (status) query = query.where('p.status', '=', status);
    return (await query.execute()).map(toProduct);
  },

  async findProductsBySkus(db: Db, skus: readonly string[]): Promise<Product[]> {
    if (skus.length === 0) return [];
    return (
      await selectProducts(db)
        .where('p.sku', 'in', [...skus])
        .execute()
    ).map(toProduct);
  },

  /** One page, newest first by id; asks for `limit` rows (callers add one to see if more follow). */
  async listProducts(db: Db, filter: ProductListFilter): Promise<Product[]> {
    let query = selectProducts(db);
    if (filter.status) query = query.where('p.status', '=', filter.status);
    if (filter.categoryId) query = query.where('p.category_id', '=', filter.categoryId);
    if (filter.beforeId) query = query.where('p.id', '<', filter.beforeId);
    const search = filter.search;
    if (search) {
      const { tsquery, sku } = search;
      query = query.where((eb) =>
        eb.or([
          ...(tsquery ? [sql<boolean>`p.search_vector @@ to_tsquery('simple', ${tsquery})`] : []),
          ...(sku ? [eb('p.sku', '=', sku)] : []),
        ]),
      );
    }
    const rows = await query.orderBy('p.id', 'desc').limit(filter.limit).execute();
    return rows.map(toProduct);
  },

  async countProducts(db: Db): Promise<number> {
    const row = await db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<bigint | number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  },
};
