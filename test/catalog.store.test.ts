import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config/config.js';
import { systemCtx } from '../src/platform/context.js';
import { createDatabase, type Database } from '../src/platform/db/database.js';
import { AppError } from '../src/platform/errors/app-error.js';
import { createLogger } from '../src/platform/logging/logger.js';
import type { ServiceModule } from '../src/platform/module.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import { migrateAll } from '../src/runtime/orderline.js';
import { createCatalogCache } from '../src/services/catalog/app/catalog.cache.js';
import type { CatalogDeps } from '../src/services/catalog/app/deps.js';
import { getProduct, listProducts, listProductsByIds } from '../src/services/catalog/app/list-products.js';
import { updateProduct } from '../src/services/catalog/app/update-product.js';
import type { CatalogClient } from '../src/services/catalog/contract/client.js';
import type { CatalogDB } from '../src/services/catalog/data/tables.js';
import type { AvailabilityLookup, PriceLookup } from '../src/services/catalog/domain/ports.js';
import { createCatalogModule } from '../src/services/catalog/module.js';
import { createPostgresDatabase, TEST_DATABASES } from './databases.js';

/**
 * The catalog below HTTP, on each database: migrations, the client other services use, search,
 * the optimistic lock, and the price/availability ports (called once per page).
 */
const logger = createLogger({ level: 'silent' });
const ctx = systemCtx(logger, 'catalog-store-test');

/** Expects `promise` to reject with an AppError of `code` and returns it. */
async function appError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe.each(TEST_DATABASES)('catalog store on %s', (kind) => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  let module: ServiceModule<CatalogClient>;
  let client: CatalogClient;
  let deps: CatalogDeps;
  const quoteCalls: { skus: readonly string[]; currency: string }[] = [];
  const stockCalls: (readonly string[])[] = [];
  const prices: PriceLookup = {
    async quote(skus, currency) {
      quoteCalls.push({ skus, currency });
      // Only MUG-1 has a price, and only in USD: other products must come back unpriced.
      return new Map(
        currency === 'USD' && skus.includes('MUG-1')
          ? [['MUG-1', { amount: 9_007_199_254_740_993n, currency }]]
          : [],
      );
    },
  };
  const availability: AvailabilityLookup = {
    async available(skus) {
      stockCalls.push(skus);
      return new Map(skus.map((s, i) => [s, i * 2]));
    },
  };

  beforeAll(async () => {
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      drop = pg.drop;
      database = await createDatabase({ url: pg.url });
    } else {
      database = await createDatabase({});
    }
    const db = database.forSchema<CatalogDB>('catalog');
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    module = createCatalogModule({
      config: loadConfig({ NODE_ENV: 'test' }),
      logger,
      db,
      database,
      clock,
      metrics: createMetrics({ defaults: false }),
    });
    client = module.client;
    deps = {
      db,
      clock,
      cache: createCatalogCache({ ttlSeconds: 60, maxEntries: 1000 }),
      prices,
      availability,
    };
    await migrateAll(database, [module], logger);
  });
  afterAll(async () => {
    await database.close();
    await drop?.();
  });

  it('creates categories and products through the client and counts them', async () => {
    expect(await client.countProducts()).toBe(0);
    await client.createCategory(ctx, { slug: 'home', name: 'Home' });
    const kitchen = await client.createCategory(ctx, { slug: 'kitchen', name: 'Kitchen', parent: 'home' });
    expect(kitchen).toMatchObject({ slug: 'kitchen', name: 'Kitchen', parent: 'home' });
    const mug = await client.createProduct(ctx, {
      sku: 'mug-1',
      name: 'Stoneware Coffee Mug',
      description: 'Holds 350 ml of coffee',
      category: 'kitchen',
      attributes: { capacityMl: 350, dishwasher: true, color: 'sand' },
    });
    expect(mug).toMatchObject({
      sku: 'MUG-1',
      category: 'kitchen',
      status: 'active',
      version: 1,
      attributes: { capacityMl: 350, dishwasher: true, color: 'sand' },
      createdAt: '2030-01-01T00:00:00.000Z',
    });
    await client.createProduct(ctx, {
      sku: 'KETTLE-STEEL',
      name: 'Stainless Steel Kettle',
      category: 'kitchen',
    });
    await client.createProduct(ctx, {
      sku: 'USB-C-CABLE',
      name: 'USB-C Cable 2 m',
      description: "Braided; won't tangle",
    });
    expect(await client.countProducts()).toBe(3);
  });

  it('refuses a taken sku or slug and an unknown category, storing nothing', async () => {
    await appError(client.createProduct(ctx, { sku: 'MUG-1', name: 'Again' }), 'sku_taken');
    await appError(client.createProduct(ctx, { sku: ' mug-1 ', name: 'Again, lower case' }), 'sku_taken');
    await appError(client.createCategory(ctx, { slug: 'home', name: 'Home again' }), 'slug_taken');
    const err = await appError(
      client.createProduct(ctx, { sku: 'NEW-1', name: 'New', category: 'missing' }),
      'validation_failed',
    );
    expect(err.fields?.map((f) => f.path)).toEqual(['category']);
    await appError(
      client.createCategory(ctx, { slug: 'orphan', name: 'Orphan', parent: 'missing' }),
      'validation_failed',
    );
    expect(await client.countProducts()).toBe(3);
    expect(await client.getProductsBySku(['NEW-1'])).toEqual([]);
  });

  it('bulk-gets by id in the order asked, leaving out unknown and malformed ids', async () => {
    const [mug, kettle] = await client.getProductsBySku(['mug-1', 'KETTLE-STEEL', 'NOPE']);
    expect(mug?.sku).toBe('MUG-1');
    expect(kettle?.sku).toBe('KETTLE-STEEL');
    const unknown = '0190a000-0000-7000-8000-000000000000';
    const got = await client.getProducts([kettle!.id, unknown, 'not-a-uuid', mug!.id, kettle!.id]);
    expect(got.map((p) => p.sku)).toEqual(['KETTLE-STEEL', 'MUG-1']);
    expect(await client.getProducts([])).toEqual([]);
  });

  it('searches by word prefixes (AND-ed) and by exact sku, whatever the input', async () => {
    const search = async (q: string) =>
      (await listProducts(ctx, deps, { q, limit: 20, currency: 'USD' })).items.map((p) => p.sku).sort();
    expect(await search('coff')).toEqual(['MUG-1']);
    expect(await search('STONE mug')).toEqual(['MUG-1']);
    expect(await search('stone kettle')).toEqual([]);
    expect(await search('steel')).toEqual(['KETTLE-STEEL']);
    expect(await search('usb-c')).toEqual(['USB-C-CABLE']);
    expect(await search('tangle')).toEqual(['USB-C-CABLE']);
    expect(await search('mug-1')).toEqual(['MUG-1']);
    expect(await search("won't")).toEqual(['USB-C-CABLE']);
    for (const hostile of ["'", '&|!', '):*(', "mug' & !", '\\', '"; drop table products; --', 'a\u0000b']) {
      await expect(search(hostile), hostile).resolves.toBeInstanceOf(Array);
    }
    expect(await search('&&&')).toEqual([]);
    expect(await client.countProducts()).toBe(3);
  });

  it('filters by category slug; an unknown or malformed slug is an empty list', async () => {
    const inCategory = async (category: string) =>
      (await listProducts(ctx, deps, { category, limit: 20, currency: 'USD' })).items
        .map((p) => p.sku)
        .sort();
    expect(await inCategory('kitchen')).toEqual(['KETTLE-STEEL', 'MUG-1']);
    expect(await inCategory('home')).toEqual([]);
    expect(await inCategory('nowhere')).toEqual([]);
    expect(await inCategory('Bad\u0000Slug')).toEqual([]);
  });

  it('asks each port once per page with all its skus and keeps money exact', async () => {
    quoteCalls.length = 0;
    stockCalls.length = 0;
    const page = await listProducts(ctx, deps, { limit: 20, currency: 'USD' });
    expect(quoteCalls).toHaveLength(1);
    expect(stockCalls).toHaveLength(1);
    expect([...quoteCalls[0]!.skus].sort()).toEqual(['KETTLE-STEEL', 'MUG-1', 'USB-C-CABLE']);
    const mug = page.items.find((p) => p.sku === 'MUG-1')!;
    expect(mug.price).toEqual({ amount: '9007199254740993', currency: 'USD' });
    expect(page.items.find((p) => p.sku === 'KETTLE-STEEL')!.price).toBeNull();
    const skus = stockCalls[0]!;
    expect(mug.available).toBe(skus.indexOf('MUG-1') * 2);

    const inEur = await getProduct(ctx, deps, mug.id, 'EUR');
    expect(inEur.price).toBeNull();
    expect(quoteCalls.at(-1)).toEqual({ skus: ['MUG-1'], currency: 'EUR' });

    const withoutPorts = await listProductsByIds(
      ctx,
      { db: deps.db, clock: deps.clock, cache: deps.cache },
      [mug.id],
      'USD',
    );
    expect(withoutPorts.items).toEqual([
      expect.objectContaining({ sku: 'MUG-1', price: null, available: null }),
    ]);
  });

  it('applies a change with a matching version once; a stale version changes nothing', async () => {
    const [kettle] = await client.getProductsBySku(['KETTLE-STEEL']);
    const changed = await updateProduct(ctx, deps, kettle!.id, { name: 'Steel Kettle 1.7 l', version: 1 });
    expect(changed).toMatchObject({ name: 'Steel Kettle 1.7 l', version: 2, sku: 'KETTLE-STEEL' });
    const err = await appError(
      updateProduct(ctx, deps, kettle!.id, { name: 'Lost update', version: 1 }),
      'conflict',
    );
    expect(err.kind).toBe('conflict');
    expect((await client.getProducts([kettle!.id]))[0]).toMatchObject({
      name: 'Steel Kettle 1.7 l',
      version: 2,
    });

    // Two writers holding the same version: exactly one wins.
    const results = await Promise.allSettled([
      updateProduct(ctx, deps, kettle!.id, { description: 'writer A', version: 2 }),
      updateProduct(ctx, deps, kettle!.id, { description: 'writer B', version: 2 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as AppError).code).toBe('conflict');
    expect((await client.getProducts([kettle!.id]))[0]!.version).toBe(3);

    await appError(
      updateProduct(ctx, deps, '0190a000-0000-7000-8000-000000000000', { name: 'x' }),
      'not_found',
    );
  });

  it('moves products between categories and hides archived ones from the public list only', async () => {
    const [mug] = await client.getProductsBySku(['MUG-1']);
    const moved = await updateProduct(ctx, deps, mug!.id, { category: 'home' });
    expect(moved.category).toBe('home');
    const cleared = await updateProduct(ctx, deps, mug!.id, { category: null, description: null });
    expect(cleared).toMatchObject({ category: null, description: null });
    await appError(updateProduct(ctx, deps, mug!.id, { category: 'missing' }), 'validation_failed');

    await updateProduct(ctx, deps, mug!.id, { status: 'archived' });
    const listed = (await listProducts(ctx, deps, { limit: 20, currency: 'USD' })).items.map((p) => p.sku);
    expect(listed).not.toContain('MUG-1');
    expect((await listProductsByIds(ctx, deps, [mug!.id], 'USD')).items).toEqual([]);
    expect((await getProduct(ctx, deps, mug!.id, 'USD')).status).toBe('archived');
    expect((await client.getProducts([mug!.id]))[0]!.status).toBe('archived');
  });
});
