import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** The catalog through the gateway, as a storefront and an admin use it. */
const API = '/api/v1';

interface ProductBody {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  attributes: Record<string, unknown>;
  status: string;
  version: number;
  price: unknown;
  available: unknown;
}
interface Page {
  items: ProductBody[];
  nextCursor: string | null;
}
interface ProblemBody {
  status: number;
  code: string;
  errors?: { path: string; message: string }[];
}

describe.each(TEST_DATABASES)('catalog HTTP on %s', (kind) => {
  let platform: TestPlatform;
  let auth: Record<string, string>;

  const get = (url: string) => platform.app.inject({ method: 'GET', url: `${API}${url}` });
  const send = (
    method: 'POST' | 'PATCH',
    url: string,
    payload: unknown,
    headers: Record<string, string> = auth,
  ) => platform.app.inject({ method, url: `${API}${url}`, payload: payload as object, headers });
  const count = () => platform.orderline.clients.catalog!.countProducts();

  /** Asserts a 400 validation problem naming `field` and returns it. */
  function expectValidation(res: Awaited<ReturnType<typeof get>>, field: string): ProblemBody {
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json<ProblemBody>();
    expect(body.code).toBe('validation_failed');
    expect(body.errors?.map((e) => e.path)).toContain(field);
    return body;
  }

  async function createProduct(payload: Record<string, unknown>): Promise<ProductBody> {
    const res = await send('POST', '/admin/products', payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ProductBody>();
  }

  beforeAll(async () => {
    platform = await startTestPlatform(kind, { services: ['user', 'auth', 'catalog'] });
    auth = bearer((await loginAs(platform.app)).accessToken);
    for (const [slug, name] of [
      ['kitchen', 'Kitchen'],
      ['paging', 'Paging'],
    ]) {
      const res = await send('POST', '/admin/categories', { slug, name });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(() => platform?.close());

  it('refuses anonymous and malformed-token writes before looking at the body', async () => {
    const anonymous = await send('POST', '/admin/products', { sku: 'ANON-1', name: 'Anon' }, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json<ProblemBody>().code).toBe('unauthenticated');
    const garbage = await send('POST', '/admin/products', {}, { authorization: 'Bearer not-a-token' });
    expect(garbage.statusCode).toBe(401);
    const patch = await send(
      'PATCH',
      '/admin/products/0190a000-0000-7000-8000-000000000000',
      { name: 'x' },
      {},
    );
    expect(patch.statusCode).toBe(401);
    expect((await send('POST', '/admin/categories', { slug: 'anon', name: 'Anon' }, {})).statusCode).toBe(
      401,
    );
    expect(await count()).toBe(0);
  });

  it('creates a product and reads it back by id', async () => {
    const res = await send('POST', '/admin/products', {
      sku: ' mug-stone ',
      name: ' Stoneware Coffee Mug ',
      description: 'Holds 350 ml',
      category: 'kitchen',
      attributes: { capacityMl: 350, dishwasher: true, color: 'sand' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<ProductBody>();
    expect(res.headers.location).toBe(`${API}/products/${created.id}`);
    expect(created).toMatchObject({
      sku: 'MUG-STONE',
      name: 'Stoneware Coffee Mug',
      category: 'kitchen',
      status: 'active',
      version: 1,
      price: null,
      available: null,
    });

    const read = await get(`/products/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);
  });

  it('answers an unknown id with 404 and a malformed one with 400', async () => {
    const unknown = await get('/products/0190a000-0000-7000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ProblemBody>().code).toBe('not_found');
    expectValidation(await get('/products/not-a-uuid'), 'params.id');
    expectValidation(
      await get('/products/0190a000-0000-7000-8000-000000000000?currency=usd'),
      'querystring.currency',
    );
  });

  it('refuses a duplicate sku with 409 sku_taken', async () => {
    const res = await send('POST', '/admin/products', { sku: 'MUG-STONE', name: 'Another mug' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<ProblemBody>().code).toBe('sku_taken');
  });

  it('answers invalid input with 400 problem+json naming the field, and stores nothing', async () => {
    const before = await count();
    expectValidation(await send('POST', '/admin/products', { sku: 'NO-NAME' }), 'body.name');
    expectValidation(await send('POST', '/admin/products', { sku: 'bad sku!', name: 'Bad' }), 'body.sku');
    expectValidation(await send('POST', '/admin/products', { sku: 'X1', name: 'x\u0000y' }), 'body.name');
    expectValidation(
      await send('POST', '/admin/products', { sku: 'X2', name: 'Nested', attributes: { deep: { a: 1 } } }),
      'body.attributes.deep',
    );
    expectValidation(
      await send('POST', '/admin/products', { sku: 'NO-CAT', name: 'Lost', category: 'does-not-exist' }),
      'body.category',
    );
    expectValidation(await get('/products?limit=500'), 'querystring.limit');
    expectValidation(await get('/products?limit=0'), 'querystring.limit');
    expectValidation(await get('/products?cursor=definitely-not-a-cursor'), 'querystring.cursor');
    expectValidation(await get('/products?currency=EURO'), 'querystring.currency');
    expect(await count()).toBe(before);
    expect((await get('/products?q=NO-CAT')).json<Page>().items).toEqual([]);
  });

  it('pages through 25 products with a cursor: no duplicates, no gaps, newest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const p = await createProduct({
        sku: `PAGE-${String(i).padStart(2, '0')}`,
        name: `Paged item ${i}`,
        category: 'paging',
      });
      created.push(p.id);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/products?category=paging&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page: Page = res.json<Page>();
      sizes.push(page.items.length);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor !== null && sizes.length < 10);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual([...created].reverse());

    const firstPage = (await get('/products?limit=20')).json<Page>();
    expect(firstPage.items).toHaveLength(20);
    expect(firstPage.nextCursor).not.toBeNull();
  });

  it('searches by word prefixes and exact sku, and filters by category', async () => {
    await createProduct({ sku: 'KETTLE-STEEL', name: 'Stainless Steel Kettle', category: 'kitchen' });
    await createProduct({ sku: 'CABLE-USB-C', name: 'USB-C Cable', description: 'Braided, 2 m' });
    const skus = async (query: string) =>
      (await get(`/products?${query}`))
        .json<Page>()
        .items.map((p) => p.sku)
        .sort();
    expect(await skus('q=stain')).toEqual(['KETTLE-STEEL']);
    expect(await skus('q=steel%20kett')).toEqual(['KETTLE-STEEL']);
    expect(await skus('q=steel%20cable')).toEqual([]);
    expect(await skus('q=braid')).toEqual(['CABLE-USB-C']);
    expect(await skus('q=mug-stone')).toEqual(['MUG-STONE']);
    expect(await skus(`q=${encodeURIComponent("')&|!:*(")}`)).toEqual([]);
    expect(await skus('category=kitchen')).toEqual(['KETTLE-STEEL', 'MUG-STONE']);
    expect(await skus('category=kitchen&q=mug')).toEqual(['MUG-STONE']);
    expect(await skus('category=no-such-category')).toEqual([]);
  });

  it('bulk-gets by ids in the order given', async () => {
    const [a, b] = [
      await createProduct({ sku: 'BULK-A', name: 'Bulk A' }),
      await createProduct({ sku: 'BULK-B', name: 'Bulk B' }),
    ];
    const unknown = '0190a000-0000-7000-8000-000000000000';
    const res = await get(`/products?ids=${a.id},${unknown},${b.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Page>()).toMatchObject({
      items: [{ sku: 'BULK-A' }, { sku: 'BULK-B' }],
      nextCursor: null,
    });
    expect((await get(`/products?ids=${b.id},${a.id}`)).json<Page>().items.map((p) => p.sku)).toEqual([
      'BULK-B',
      'BULK-A',
    ]);
    expectValidation(await get('/products?ids=not-a-uuid'), 'querystring.ids');
    expectValidation(await get(`/products?ids=${Array(101).fill(a.id).join(',')}`), 'querystring.ids');
    expectValidation(await get(`/products?ids=${a.id}&q=bulk`), 'querystring.ids');
  });

  it('updates with optimistic locking; a stale version is 409 and the sku is immutable', async () => {
    const product = await createProduct({ sku: 'LOCK-1', name: 'Lockable' });
    const ok = await send('PATCH', `/admin/products/${product.id}`, { name: 'Locked in', version: 1 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<ProductBody>()).toMatchObject({ name: 'Locked in', version: 2, sku: 'LOCK-1' });

    const stale = await send('PATCH', `/admin/products/${product.id}`, { name: 'Lost update', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ProblemBody>().code).toBe('conflict');
    expectValidation(await send('PATCH', `/admin/products/${product.id}`, { sku: 'LOCK-2' }), 'body.sku');
    expectValidation(
      await send('PATCH', `/admin/products/${product.id}`, { category: 'nope' }),
      'body.category',
    );
    expect((await get(`/products/${product.id}`)).json<ProductBody>()).toMatchObject({
      name: 'Locked in',
      sku: 'LOCK-1',
      version: 2,
    });

    const missing = await send('PATCH', '/admin/products/0190a000-0000-7000-8000-000000000000', {
      name: 'x',
    });
    expect(missing.statusCode).toBe(404);

    const archived = await send('PATCH', `/admin/products/${product.id}`, { status: 'archived', version: 2 });
    expect(archived.json<ProductBody>().status).toBe('archived');
    expect((await get('/products?q=LOCK-1')).json<Page>().items).toEqual([]);
  });

  it('creates and lists categories; a taken slug is 409', async () => {
    const child = await send('POST', '/admin/categories', { slug: 'mugs', name: 'Mugs', parent: 'kitchen' });
    expect(child.statusCode, child.body).toBe(201);
    expect(child.json()).toMatchObject({ slug: 'mugs', parent: 'kitchen' });
    const dup = await send('POST', '/admin/categories', { slug: 'mugs', name: 'Mugs again' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<ProblemBody>().code).toBe('slug_taken');
    expectValidation(await send('POST', '/admin/categories', { slug: 'Bad Slug', name: 'Bad' }), 'body.slug');
    expectValidation(
      await send('POST', '/admin/categories', { slug: 'orphan', name: 'O', parent: 'ghost' }),
      'body.parent',
    );
    const list = (await get('/categories')).json<{ items: { slug: string; parent: string | null }[] }>();
    expect(list.items.map((c) => c.slug)).toEqual(['kitchen', 'mugs', 'paging']);
  });

  it('documents every catalog route in the OpenAPI document', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>().paths;
    expect(paths[`${API}/products`]?.get?.tags).toEqual(['catalog']);
    expect(Object.keys(paths[`${API}/admin/products/{id}`] ?? {})).toContain('patch');
    for (const path of ['/products/{id}', '/categories', '/admin/products', '/admin/categories'])
      expect(paths, path).toHaveProperty([`${API}${path}`]);
  });
});

describe.each(TEST_DATABASES)('catalog demo seed on %s', (kind) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform(kind, { services: ['user', 'auth', 'catalog'], demo: true });
  });
  afterAll(() => platform?.close());

  it('lists the demo products and categories through the public API', async () => {
    const res = await platform.app.inject({ method: 'GET', url: `${API}/products?limit=100` });
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.items.length).toBe(10);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((p) => p.sku)).toContain('MUG-STONEWARE');
    expect(page.items.find((p) => p.sku === 'HEADPHONES-BT')).toMatchObject({
      category: 'electronics',
      attributes: { wireless: true, weightGrams: 250 },
    });
    const footwear = await platform.app.inject({ method: 'GET', url: `${API}/products?category=footwear` });
    expect(
      footwear
        .json<Page>()
        .items.map((p) => p.sku)
        .sort(),
    ).toEqual(['SNEAKER-RUN-42', 'SNEAKER-RUN-44']);
    const categories = await platform.app.inject({ method: 'GET', url: `${API}/categories` });
    expect(categories.json<{ items: unknown[] }>().items).toHaveLength(4);
  });
});
