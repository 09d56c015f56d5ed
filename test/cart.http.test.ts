import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, type OrderRig, startOrderRig } from './checkout.fakes.js';
import { TEST_DATABASES } from './databases.js';

/** Carts through HTTP (real gateway, routes, database) with in-memory doubles of the other services. */
const API = '/api/v1';

interface Money {
  amount: string;
  currency: string;
}
interface CartBody {
  id: string;
  cartToken?: string;
  version: number;
  status: string;
  items: {
    id: string;
    sku: string;
    quantity: number;
    unitPrice: Money | null;
    lineTotal: Money | null;
    name: string;
  }[];
  shippingAddress: Record<string, unknown> | null;
  shippingMethod: { id: string; price: Money } | null;
  weightGrams: number;
  totals: Record<'subtotal' | 'discount' | 'shipping' | 'tax' | 'total', Money>;
}

describe.each(TEST_DATABASES)('carts on %s', (kind) => {
  let rig: OrderRig;
  const req = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    rig.app.inject({
      method,
      url: `${API}${url}`,
      headers: { ...(token ? { 'x-cart-token': token } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  async function newCart(currency = 'USD'): Promise<{ id: string; token: string }> {
    const res = await req('POST', '/carts', undefined, { currency });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<CartBody>();
    return { id: body.id, token: body.cartToken! };
  }

  beforeAll(async () => {
    rig = await startOrderRig(kind);
    rig.catalog.add('MUG', { weightGrams: 250 });
    rig.catalog.add('TEE');
    rig.catalog.add('OLD', {}, 'archived');
    rig.catalog.add('NOPRICE');
    rig.catalog.add('BIG');
    rig.pricing.set('MUG', 1250n);
    rig.pricing.set('TEE', 1999n);
    rig.pricing.set('OLD', 100n);
    rig.pricing.set('BIG', 9_007_199_254_740_993n); // 2^53 + 1: not representable as a double
    rig.pricing.taxBps.set('US', 825);
    for (let i = 0; i < 30; i++) {
      rig.catalog.add(`BULK-${i}`);
      rig.pricing.set(`BULK-${i}`, BigInt(100 + i));
    }
  });
  afterAll(() => rig?.close());

  it('creates a guest cart with a one-time token and hides it from anyone without the token (G9)', async () => {
    const res = await req('POST', '/carts', undefined, { currency: 'USD' });
    expect(res.statusCode).toBe(201);
    const cart = res.json<CartBody>();
    expect(cart.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cart.status).toBe('active');
    expect(cart.totals.total).toEqual({ amount: '0', currency: 'USD' });
    const other = await newCart();

    expect((await req('GET', `/carts/${cart.id}`, cart.cartToken)).statusCode).toBe(200);
    for (const token of [undefined, other.token, 'garbage', `${cart.cartToken}A`]) {
      const res404 = await req('GET', `/carts/${cart.id}`, token);
      expect(res404.statusCode).toBe(404);
      expect(res404.headers['content-type']).toContain('application/problem+json');
      expect(res404.json().code).toBe('not_found');
    }
    // The same 404 for mutations: nothing is added to someone else's cart.
    const add = await req('POST', `/carts/${cart.id}/items`, other.token, { sku: 'MUG', quantity: 1 });
    expect(add.statusCode).toBe(404);
    const addr = await req('PUT', `/carts/${cart.id}/shipping-address`, undefined, ADDRESS);
    expect(addr.statusCode).toBe(404);
    const view = (await req('GET', `/carts/${cart.id}`, cart.cartToken)).json<CartBody>();
    expect(view.items).toEqual([]);
    expect(view.shippingAddress).toBeNull();
    expect(view.version).toBe(1);
    // An unknown cart id answers exactly like someone else's cart.
    const unknown = await req('GET', '/carts/0190a000-0000-7000-8000-000000000000', cart.cartToken);
    expect(unknown.statusCode).toBe(404);
  });

  it('adds items, merges a repeated sku and prices lines exactly', async () => {
    const { id, token } = await newCart();
    let res = await req('POST', `/carts/${id}/items`, token, { sku: 'mug', quantity: 2 });
    expect(res.statusCode, res.body).toBe(200);
    res = await req('POST', `/carts/${id}/items`, token, { sku: 'MUG', quantity: 3 });
    const cart = res.json<CartBody>();
    expect(cart.items).toHaveLength(1);
    expect(cart.items[0]).toMatchObject({ sku: 'MUG', quantity: 5, name: 'Product MUG' });
    expect(cart.items[0]!.unitPrice).toEqual({ amount: '1250', currency: 'USD' });
    expect(cart.items[0]!.lineTotal).toEqual({ amount: '6250', currency: 'USD' });
    expect(cart.totals.subtotal.amount).toBe('6250');
    expect(cart.version).toBe(3);
    expect(res.headers.etag).toBe('"3"');
  });

  it('refuses bad items with 4xx problem+json and stores nothing (G8)', async () => {
    const { id, token } = await newCart();
    const cases: [unknown, number, string][] = [
      [{ sku: 'MUG', quantity: 0 }, 400, 'validation_failed'],
      [{ sku: 'MUG', quantity: 1000 }, 400, 'validation_failed'],
      [{ sku: 'MUG', quantity: 1.5 }, 400, 'validation_failed'],
      [{ sku: 'MUG', quantity: '2' }, 400, 'validation_failed'],
      [{ sku: '', quantity: 1 }, 400, 'validation_failed'],
      [{ sku: 'MUG', quantity: 1, extra: true }, 400, 'validation_failed'],
      [{ sku: 'NOPE', quantity: 1 }, 422, 'unknown_sku'],
      [{ sku: 'OLD', quantity: 1 }, 422, 'product_unavailable'],
      [{ sku: 'NOPRICE', quantity: 1 }, 422, 'price_unavailable'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await req('POST', `/carts/${id}/items`, token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
    }
    await req('POST', `/carts/${id}/items`, token, { sku: 'MUG', quantity: 999 });
    const over = await req('POST', `/carts/${id}/items`, token, { sku: 'MUG', quantity: 1 });
    expect(over.statusCode).toBe(422);
    expect(over.json().code).toBe('quantity_limit_exceeded');
    const view = (await req('GET', `/carts/${id}`, token)).json<CartBody>();
    expect(view.items.map((i) => [i.sku, i.quantity])).toEqual([['MUG', 999]]);
    expect(view.version).toBe(2);
  });

  it('changes and removes lines; a line of another cart is not found', async () => {
    const a = await newCart();
    const b = await newCart();
    const item = (
      await req('POST', `/carts/${a.id}/items`, a.token, { sku: 'TEE', quantity: 1 })
    ).json<CartBody>().items[0]!;
    const patched = await req('PATCH', `/carts/${a.id}/items/${item.id}`, a.token, { quantity: 4 });
    expect(patched.json<CartBody>().items[0]!.quantity).toBe(4);
    expect((await req('PATCH', `/carts/${a.id}/items/${item.id}`, a.token, { quantity: 0 })).statusCode).toBe(
      400,
    );
    // b's owner cannot reach a's line through b's cart either.
    expect((await req('DELETE', `/carts/${b.id}/items/${item.id}`, b.token)).statusCode).toBe(404);
    const removed = await req('DELETE', `/carts/${a.id}/items/${item.id}`, a.token);
    expect(removed.statusCode).toBe(200);
    expect(removed.json<CartBody>().items).toEqual([]);
    expect((await req('DELETE', `/carts/${a.id}/items/${item.id}`, a.token)).statusCode).toBe(404);
  });

  it('refuses a stale If-Match with 409 conflict and applies a current one (NEW-03)', async () => {
    const { id, token } = await newCart();
    const v1 = (await req('GET', `/carts/${id}`, token)).json<CartBody>().version;
    const ok = await req(
      'POST',
      `/carts/${id}/items`,
      token,
      { sku: 'MUG', quantity: 1 },
      { 'if-match': `"${v1}"` },
    );
    expect(ok.statusCode).toBe(200);
    const stale = await req(
      'POST',
      `/carts/${id}/items`,
      token,
      { sku: 'MUG', quantity: 1 },
      { 'if-match': `"${v1}"` },
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('conflict');
    expect(
      (await req('POST', `/carts/${id}/items`, token, { sku: 'MUG', quantity: 1 }, { 'if-match': 'abc' }))
        .statusCode,
    ).toBe(400);
    const view = (await req('GET', `/carts/${id}`, token)).json<CartBody>();
    expect(view.items[0]!.quantity).toBe(1);
    expect(view.version).toBe(v1 + 1);
  });

  it('counts every one of many parallel adds of the same sku (NEW-03)', async () => {
    const { id, token } = await newCart();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => req('POST', `/carts/${id}/items`, token, { sku: 'TEE', quantity: 2 })),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    const view = (await req('GET', `/carts/${id}`, token)).json<CartBody>();
    expect(view.items).toHaveLength(1);
    expect(view.items[0]!.quantity).toBe(24);
    expect(view.version).toBe(13);
  });

  it('validates the shipping address field by field and stores nothing invalid (G8)', async () => {
    const { id, token } = await newCart();
    const bad = await req('PUT', `/carts/${id}/shipping-address`, token, {
      ...ADDRESS,
      country: 'ZZ',
      phone: '555-0123',
      line1: 'a\u0007b',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.country', 'body.line1', 'body.phone']);
    const badPostal = await req('PUT', `/carts/${id}/shipping-address`, token, {
      ...ADDRESS,
      postalCode: '9410',
    });
    expect(badPostal.statusCode).toBe(400);
    expect(badPostal.json().errors[0].path).toBe('body.postalCode');
    const missing = await req('PUT', `/carts/${id}/shipping-address`, token, { ...ADDRESS, city: undefined });
    expect(missing.statusCode).toBe(400);
    expect((await req('GET', `/carts/${id}`, token)).json<CartBody>().shippingAddress).toBeNull();

    const ok = await req('PUT', `/carts/${id}/shipping-address`, token, {
      ...ADDRESS,
      country: 'gb',
      postalCode: ' sw1a1aa ',
      firstName: '  Ada ',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<CartBody>().shippingAddress).toMatchObject({
      country: 'GB',
      postalCode: 'SW1A 1AA',
      firstName: 'Ada',
    });
  });

  it('offers shipping by weight, sets a method, clears it when the destination changes', async () => {
    const { id, token } = await newCart();
    const noAddr = await req('GET', `/carts/${id}/shipping-options`, token);
    expect(noAddr.statusCode).toBe(422);
    expect(noAddr.json().code).toBe('shipping_address_required');
    await req('POST', `/carts/${id}/items`, token, { sku: 'MUG', quantity: 2 });
    await req('POST', `/carts/${id}/items`, token, { sku: 'TEE', quantity: 1 });
    await req('PUT', `/carts/${id}/shipping-address`, token, ADDRESS);
    const options = await req('GET', `/carts/${id}/shipping-options`, token);
    expect(options.statusCode).toBe(200);
    // The double prices Standard at 500 + weight in grams: 2 × 250 g + TEE without weight (0 g).
    expect(options.json().items).toContainEqual(
      expect.objectContaining({ id: 'std', price: { amount: '1000', currency: 'USD' } }),
    );
    const unknown = await req('PUT', `/carts/${id}/shipping-method`, token, { optionId: 'teleport' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown_shipping_option');
    const chosen = await req('PUT', `/carts/${id}/shipping-method`, token, { optionId: 'std' });
    expect(chosen.statusCode, chosen.body).toBe(200);
    const cart = chosen.json<CartBody>();
    expect(cart.shippingMethod).toMatchObject({ id: 'std', price: { amount: '1000', currency: 'USD' } });
    expect(cart.weightGrams).toBe(500);
    // subtotal 2×1250 + 1999 = 4499; tax 8.25 % of (4499 + 1000) = 453.6675 → 454.
    expect(cart.totals).toEqual({
      subtotal: { amount: '4499', currency: 'USD' },
      discount: { amount: '0', currency: 'USD' },
      shipping: { amount: '1000', currency: 'USD' },
      tax: { amount: '454', currency: 'USD' },
      total: { amount: '5953', currency: 'USD' },
    });
    const moved = await req('PUT', `/carts/${id}/shipping-address`, token, {
      ...ADDRESS,
      postalCode: '10001',
    });
    expect(moved.json<CartBody>().shippingMethod).toBeNull();
  });

  it('prices a large cart with ONE quote, one catalog read, one shipping quote and one tax call (OR-P1-06)', async () => {
    const { id, token } = await newCart();
    for (let i = 0; i < 30; i++)
      await req('POST', `/carts/${id}/items`, token, { sku: `BULK-${i}`, quantity: i + 1 });
    await req('PUT', `/carts/${id}/shipping-address`, token, ADDRESS);
    await req('PUT', `/carts/${id}/shipping-method`, token, { optionId: 'exp' });
    const before = {
      quote: rig.pricing.quoteCalls,
      tax: rig.pricing.taxCalls,
      catalog: rig.catalog.calls,
      shipping: rig.shipping.calls,
    };
    const res = await req('GET', `/carts/${id}`, token);
    expect(res.statusCode).toBe(200);
    expect(res.json<CartBody>().items).toHaveLength(30);
    expect(rig.pricing.quoteCalls - before.quote).toBe(1);
    expect(rig.pricing.taxCalls - before.tax).toBe(1);
    expect(rig.catalog.calls - before.catalog).toBe(1);
    expect(rig.shipping.calls - before.shipping).toBe(1);
    let expected = 0n;
    for (let i = 0; i < 30; i++) expected += BigInt(100 + i) * BigInt(i + 1);
    expect(res.json<CartBody>().totals.subtotal.amount).toBe(expected.toString());
  });

  it('keeps money exact at large quantities (no floating point)', async () => {
    const { id, token } = await newCart();
    const res = await req('POST', `/carts/${id}/items`, token, { sku: 'BIG', quantity: 999 });
    expect(res.statusCode, res.body).toBe(200);
    const expected = (9_007_199_254_740_993n * 999n).toString();
    expect(res.json<CartBody>().items[0]!.lineTotal!.amount).toBe(expected);
    expect(res.json<CartBody>().totals.total.amount).toBe(expected);
  });

  it('refuses an invalid currency and unknown body fields', async () => {
    for (const payload of [
      { currency: 'usd' },
      { currency: 'US' },
      {},
      { currency: 'USD', customerId: 'x' },
    ]) {
      const res = await req('POST', '/carts', undefined, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
  });
});
