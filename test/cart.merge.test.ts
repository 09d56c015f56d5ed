import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS } from './checkout.fakes.js';
import {
  SERVICES as CUSTOMER_SERVICES,
  type Customer,
  customerToken,
  TEST_ENV,
  verifiedCustomer,
} from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import { QUIET_JOBS } from './order.fixtures.js';

/** Guest cart merged into the customer's at login (issue 6 "Ownership", G9), through HTTP. */
const API = '/api/v1';
const SERVICES = [...CUSTOMER_SERVICES, 'catalog', 'pricing', 'warehouse', 'shipping', 'payment', 'order'];

interface CartBody {
  id: string;
  cartToken?: string;
  status: string;
  version: number;
  currency: string;
  items: { sku: string; quantity: number }[];
  shippingAddress: { postalCode: string } | null;
}

const OTHER_ADDRESS = { ...ADDRESS, line1: '500 Market St', postalCode: '94105' };

describe.each(TEST_DATABASES)('guest cart merge on %s', (kind) => {
  let platform: TestPlatform;
  const inject = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => platform.app.inject({ method, url: `${API}${url}`, headers, ...(payload ? { payload } : {}) });

  /** A verified customer and the bearer header of a fresh login. */
  async function signedIn(): Promise<{ customer: Customer; auth: Record<string, string> }> {
    const customer = await verifiedCustomer(platform.app);
    return { customer, auth: bearer((await customerToken(platform.app, customer)).accessToken) };
  }

  /** A cart (guest without `auth`, the customer's with it) holding `items`, optionally addressed. */
  async function cart(
    items: [string, number][],
    opts: { auth?: Record<string, string>; address?: object; currency?: string } = {},
  ): Promise<{ id: string; headers: Record<string, string> }> {
    const created = await inject('POST', '/carts', opts.auth ?? {}, { currency: opts.currency ?? 'USD' });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<CartBody>();
    const headers = opts.auth ?? { 'x-cart-token': body.cartToken! };
    for (const [sku, quantity] of items) {
      const res = await inject('POST', `/carts/${body.id}/items`, headers, { sku, quantity });
      expect(res.statusCode, res.body).toBe(200);
    }
    if (opts.address) {
      const res = await inject('PUT', `/carts/${body.id}/shipping-address`, headers, opts.address);
      expect(res.statusCode, res.body).toBe(200);
    }
    return { id: body.id, headers };
  }

  const merge = (guest: { id: string; headers: Record<string, string> }, auth: Record<string, string>) =>
    inject('POST', `/carts/${guest.id}/merge`, { ...guest.headers, ...auth });

  const quantities = (body: CartBody) => Object.fromEntries(body.items.map((i) => [i.sku, i.quantity]));

  beforeAll(async () => {
    platform = await startTestPlatform(kind, { services: SERVICES, env: { ...TEST_ENV, ...QUIET_JOBS } });
    const admin = bearer((await loginAs(platform.app)).accessToken);
    for (const [sku, amount] of [
      ['MRG-MUG', '1250'],
      ['MRG-TEE', '1999'],
    ] as const) {
      const p = await inject('POST', '/admin/products', admin, { sku, name: `Product ${sku}` });
      expect(p.statusCode, p.body).toBe(201);
      const price = await inject('PUT', `/admin/prices/${sku}`, admin, { amount, currency: 'USD' });
      expect(price.statusCode, price.body).toBeLessThan(300);
    }
  });
  afterAll(() => platform?.close());

  it('binds the guest cart to a customer without one; the guest token stops working', async () => {
    const { auth } = await signedIn();
    const guest = await cart([['MRG-MUG', 2]], { address: ADDRESS });

    const res = await merge(guest, auth);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<CartBody>();
    expect(body.id).toBe(guest.id);
    expect(body.status).toBe('active');
    expect(quantities(body)).toEqual({ 'MRG-MUG': 2 });
    expect(body.shippingAddress?.postalCode).toBe(ADDRESS.postalCode);

    expect((await inject('GET', `/carts/${guest.id}`, auth)).statusCode).toBe(200);
    expect((await inject('GET', `/carts/${guest.id}`, guest.headers)).statusCode).toBe(404);
    const add = await inject('POST', `/carts/${guest.id}/items`, guest.headers, {
      sku: 'MRG-TEE',
      quantity: 1,
    });
    expect(add.statusCode).toBe(404);
    // The customer keeps using it with their bearer token.
    const mine = await inject('POST', `/carts/${guest.id}/items`, auth, { sku: 'MRG-TEE', quantity: 1 });
    expect(mine.statusCode, mine.body).toBe(200);
  });

  it('moves the guest lines into the customer’s cart, adding quantities, keeping its address', async () => {
    const { auth } = await signedIn();
    const own = await cart([['MRG-MUG', 1]], { auth, address: OTHER_ADDRESS });
    const before = (await inject('GET', `/carts/${own.id}`, auth)).json<CartBody>();
    const guest = await cart(
      [
        ['MRG-MUG', 3],
        ['MRG-TEE', 2],
      ],
      { address: ADDRESS },
    );

    const res = await merge(guest, auth);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<CartBody>();
    expect(body.id).toBe(own.id);
    expect(quantities(body)).toEqual({ 'MRG-MUG': 4, 'MRG-TEE': 2 });
    expect(body.version).toBe(before.version + 1);
    expect(body.shippingAddress?.postalCode).toBe(OTHER_ADDRESS.postalCode);
    expect(res.headers.etag).toBe(`"${body.version}"`);

    expect((await inject('GET', `/carts/${guest.id}`, guest.headers)).statusCode).toBe(404);
    const merged = await inject('GET', `/carts/${guest.id}`, auth);
    expect(merged.json<CartBody>()).toMatchObject({ status: 'merged', items: [] });

    // Idempotent: the same customer asking again gets the same cart, quantities not added twice.
    const again = await merge(guest, auth);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<CartBody>().id).toBe(own.id);
    expect(quantities(again.json<CartBody>())).toEqual({ 'MRG-MUG': 4, 'MRG-TEE': 2 });
  });

  it('gives a customer cart without an address the guest’s address', async () => {
    const { auth } = await signedIn();
    const own = await cart([['MRG-TEE', 1]], { auth });
    const guest = await cart([['MRG-MUG', 1]], { address: ADDRESS });
    const res = await merge(guest, auth);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<CartBody>()).toMatchObject({
      id: own.id,
      shippingAddress: { postalCode: ADDRESS.postalCode },
    });
  });

  it('binds rather than merges when the customer’s cart is in another currency', async () => {
    const { auth } = await signedIn();
    const eur = await cart([], { auth, currency: 'EUR' });
    const guest = await cart([['MRG-MUG', 1]]);
    const res = await merge(guest, auth);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<CartBody>()).toMatchObject({ id: guest.id, currency: 'USD' });
    expect((await inject('GET', `/carts/${eur.id}`, auth)).json<CartBody>().items).toEqual([]);
  });

  it('refuses a merge over the per-line maximum with 422 and changes nothing', async () => {
    const { auth } = await signedIn();
    const own = await cart([['MRG-MUG', 998]], { auth });
    const guest = await cart([
      ['MRG-MUG', 2],
      ['MRG-TEE', 1],
    ]);
    const res = await merge(guest, auth);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quantity_limit_exceeded' });
    expect(quantities((await inject('GET', `/carts/${own.id}`, auth)).json<CartBody>())).toEqual({
      'MRG-MUG': 998,
    });
    const still = await inject('GET', `/carts/${guest.id}`, guest.headers);
    expect(still.statusCode).toBe(200);
    expect(quantities(still.json<CartBody>())).toEqual({ 'MRG-MUG': 2, 'MRG-TEE': 1 });
  });

  it('hides a guest cart from another customer without its token, before and after the merge (G9)', async () => {
    const owner = await signedIn();
    const other = await signedIn();
    const guest = await cart([['MRG-MUG', 1]]);

    expect((await merge({ id: guest.id, headers: {} }, other.auth)).statusCode).toBe(404);
    const wrong = { id: guest.id, headers: { 'x-cart-token': 'A'.repeat(43) } };
    expect((await merge(wrong, other.auth)).statusCode).toBe(404);
    expect((await merge({ id: guest.id, headers: {} }, owner.auth)).statusCode).toBe(404);

    expect((await merge(guest, owner.auth)).statusCode).toBe(200);
    // Bound to its owner now: even the old token does not let someone else take it.
    expect((await merge(guest, other.auth)).statusCode).toBe(404);
  });

  it('counts the guest lines once when the same merge arrives twice at the same time', async () => {
    const { auth } = await signedIn();
    const own = await cart([['MRG-MUG', 1]], { auth });
    const guest = await cart([['MRG-MUG', 5]]);
    const [a, b] = await Promise.all([merge(guest, auth), merge(guest, auth)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json<CartBody>().id).toBe(own.id);
    expect(b.json<CartBody>().id).toBe(own.id);
    const final = (await inject('GET', `/carts/${own.id}`, auth)).json<CartBody>();
    expect(quantities(final)).toEqual({ 'MRG-MUG': 6 });
  });

  it('leaves one active cart when two guest carts are merged at the same time', async () => {
    const { auth } = await signedIn();
    const first = await cart([['MRG-MUG', 1]]);
    const second = await cart([['MRG-TEE', 2]]);
    const [a, b] = await Promise.all([merge(first, auth), merge(second, auth)]);
    expect([a.statusCode, b.statusCode], `${a.body} ${b.body}`).toEqual([200, 200]);
    // Merges of one customer are serialised: the later one finds the cart the earlier one bound.
    expect(a.json<CartBody>().id).toBe(b.json<CartBody>().id);
    const final = (await inject('GET', `/carts/${a.json<CartBody>().id}`, auth)).json<CartBody>();
    expect(quantities(final)).toEqual({ 'MRG-MUG': 1, 'MRG-TEE': 2 });
  });

  it('requires a signed-in customer (401 for a guest, 403 for staff)', async () => {
    const guest = await cart([['MRG-MUG', 1]]);
    expect((await merge(guest, {})).statusCode).toBe(401);
    const admin = bearer((await loginAs(platform.app)).accessToken);
    expect((await merge(guest, admin)).statusCode).toBe(403);
    expect((await inject('GET', `/carts/${guest.id}`, guest.headers)).statusCode).toBe(200);
  });
});
