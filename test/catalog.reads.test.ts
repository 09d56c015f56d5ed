import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/**
 * The read paths' caches (issue 11): a change through the admin API is seen on the next read —
 * product list and detail, price, stock, tax, shipping option — and the default (uncached)
 * client path always answers from the database.
 */
describe.each(TEST_DATABASES)('cached reads see every change (%s)', (kind) => {
  let platform: TestPlatform;
  let token: string;
  let productId: string;
  let warehouseId: string;
  const call = (method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const db = () => platform.orderline.database.root;

  beforeAll(async () => {
    platform = await startTestPlatform(kind, {
      services: ['user', 'auth', 'catalog', 'pricing', 'warehouse', 'shipping'],
    });
    token = (await loginAs(platform.app)).accessToken;
    const product = await call('POST', '/admin/products', { sku: 'READ-1', name: 'Read one' });
    expect(product.statusCode).toBe(201);
    productId = product.json().id;
    expect((await call('PUT', '/admin/prices/READ-1', { amount: '1000', currency: 'USD' })).statusCode).toBe(
      200,
    );
    const warehouse = await call('POST', '/admin/warehouses', {
      code: 'RD1',
      name: 'Reads',
      capacityPerDay: 1000,
      address: { line1: '1 Dock Rd', city: 'Oakland', postalCode: '94607', country: 'US' },
      location: { lat: 37.8, lng: -122.3 },
    });
    expect(warehouse.statusCode).toBe(201);
    warehouseId = warehouse.json().id;
    expect((await call('PUT', `/admin/inventory/${warehouseId}/READ-1`, { onHand: 5 })).statusCode).toBe(200);
  });
  afterAll(() => platform?.close());

  const listed = async () =>
    (await call('GET', '/products?limit=20')).json().items.find((p: { id: string }) => p.id === productId);
  const detail = async () => (await call('GET', `/products/${productId}`)).json();

  it('shows a changed product, price and stock on the next list and detail read', async () => {
    expect(await listed()).toMatchObject({ name: 'Read one', price: { amount: '1000' }, available: 5 });
    expect(await detail()).toMatchObject({ name: 'Read one', price: { amount: '1000' }, available: 5 });
    expect((await call('PATCH', `/admin/products/${productId}`, { name: 'Read two' })).statusCode).toBe(200);
    expect((await call('PUT', '/admin/prices/READ-1', { amount: '1200', currency: 'USD' })).statusCode).toBe(
      200,
    );
    expect((await call('PUT', `/admin/inventory/${warehouseId}/READ-1`, { onHand: 7 })).statusCode).toBe(200);
    for (const view of [await listed(), await detail()])
      expect(view).toMatchObject({
        name: 'Read two',
        price: { amount: '1200', currency: 'USD' },
        available: 7,
      });
    // Stock is never cached: a change behind the service's back is seen at once.
    await db()
      .withSchema('warehouse')
      .updateTable('stock')
      .set({ on_hand: 9 })
      .where('sku', '=', 'READ-1')
      .execute();
    expect((await detail()).available).toBe(9);
    // Archived: gone from the list at once, detail still answers.
    expect((await call('PATCH', `/admin/products/${productId}`, { status: 'archived' })).statusCode).toBe(
      200,
    );
    expect(await listed()).toBeUndefined();
    expect((await detail()).status).toBe('archived');
    expect((await call('PATCH', `/admin/products/${productId}`, { status: 'active' })).statusCode).toBe(200);
  });

  it('catalog client: cached: true serves the cache, the default reads the database', async () => {
    const catalog = platform.orderline.clients.catalog!;
    expect((await catalog.getProductsBySku(['READ-1'], { cached: true }))[0]?.name).toBe('Read two');
    await db()
      .withSchema('catalog')
      .updateTable('products')
      .set({ name: 'Behind' })
      .where('sku', '=', 'READ-1')
      .execute();
    expect((await catalog.getProductsBySku(['read-1'], { cached: true }))[0]?.name).toBe('Read two');
    expect((await catalog.getProductsBySku(['READ-1']))[0]?.name).toBe('Behind');
    expect((await catalog.getProducts([productId]))[0]?.name).toBe('Behind');
    expect((await call('PATCH', `/admin/products/${productId}`, { name: 'Read three' })).statusCode).toBe(
      200,
    );
    expect((await catalog.getProducts([productId], { cached: true }))[0]?.name).toBe('Read three');
    expect((await detail()).name).toBe('Read three');
  });

  it('shipping client: a changed option is seen at once; the default reads the database', async () => {
    const shipping = platform.orderline.clients.shipping!;
    const request = {
      destination: { country: 'US', postalCode: '94107' },
      weightGrams: 500,
      subtotal: { amount: 1000n, currency: 'USD' },
      currency: 'USD',
    };
    const express = async (opts?: { cached: boolean }) =>
      (await shipping.options(request, opts)).find((o) => o.id === 'simcarrier-express')?.price.amount;
    expect(await express({ cached: true })).toBe(1199n);
    const option = {
      name: 'Express',
      carrier: 'simcarrier',
      kind: 'weight',
      baseAmount: '1500',
      perKgAmount: '200',
      currency: 'USD',
      countries: ['US', 'CA'],
      maxWeightGrams: 30000,
      minDays: 1,
      maxDays: 2,
    };
    const put = await call('PUT', '/admin/shipping-options/simcarrier-express', option);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: 'simcarrier-express', baseAmount: '1500', active: true });
    expect(await express({ cached: true })).toBe(1700n);
    expect((await shipping.quote('simcarrier-express', request, { cached: true }))?.price.amount).toBe(1700n);
    await db()
      .withSchema('shipping')
      .updateTable('shipping_options')
      .set({ base_amount: 100n })
      .where('id', '=', 'simcarrier-express')
      .execute();
    expect(await express({ cached: true })).toBe(1700n);
    expect(await express()).toBe(300n);
    expect((await shipping.quote('simcarrier-express', request))?.price.amount).toBe(300n);
    expect(
      (await call('PUT', '/admin/shipping-options/simcarrier-express', { ...option, active: false }))
        .statusCode,
    ).toBe(200);
    expect(await express({ cached: true })).toBeUndefined();
    expect((await call('PUT', '/admin/shipping-options/Bad_Id', option)).statusCode).toBe(400);
  });
});
