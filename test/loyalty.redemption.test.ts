import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { ADDRESS } from './checkout.fakes.js';
import { type Customer, customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, TEST_DATABASES } from './harness.js';
import { card, type OrderWorld, SERVICES, startOrderWorld } from './order.fixtures.js';

const SKU = 'LOY-MUG';

/**
 * Redemption at checkout (docs/loyalty.md "Redemption") through the public API with every real
 * service: points become a discount on the order, a failed checkout gives them back (G5), a
 * cancelled order too, a retried checkout redeems once (G2), parallel checkouts never spend more
 * than the balance, and bad requests are 4xx before anything is held.
 */
describe.each(TEST_DATABASES)('loyalty redemption at checkout on %s', (kind) => {
  let w: OrderWorld;
  let c: Customer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    w = await startOrderWorld(kind, { LOYALTY_POINT_VALUE_MINOR: '1' }, [
      ...SERVICES,
      'customer',
      'notification',
      'loyalty',
    ]);
    await w.product(SKU, '2500', 1000);
    c = await verifiedCustomer(w.platform.app);
    auth = bearer((await customerToken(w.platform.app, c)).accessToken);
    await waitFor(
      async () =>
        (
          await w.adminCall('POST', `/admin/loyalty/accounts/${c.id}/adjustments`, {
            points: 1000,
            reason: 'opening balance',
          })
        ).statusCode === 201,
      'loyalty account opened and credited',
    );
  });
  afterAll(() => w?.close());

  const balance = async () =>
    (await w.ok(w.inject('GET', '/loyalty/me?limit=100', undefined, auth))) as {
      balance: number;
      history: { items: { kind: string; points: number; orderId: string | null }[] };
    };
  async function cart(headers: Record<string, string>) {
    const created = await w.ok(w.inject('POST', '/carts', { currency: 'USD' }, headers));
    const h = { ...headers, ...(created.cartToken ? { 'x-cart-token': created.cartToken } : {}) };
    await w.ok(w.inject('POST', `/carts/${created.id}/items`, { sku: SKU, quantity: 1 }, h));
    await w.ok(w.inject('PUT', `/carts/${created.id}/shipping-address`, ADDRESS, h));
    const options = await w.ok(w.inject('GET', `/carts/${created.id}/shipping-options`, undefined, h));
    await w.ok(w.inject('PUT', `/carts/${created.id}/shipping-method`, { optionId: options.items[0].id }, h));
    return { id: created.id as string, h };
  }
  const checkout = async (points: number | undefined, token = 'tok_visa', key = newId(), headers = auth) => {
    const { id, h } = await cart(headers);
    return w.inject(
      'POST',
      '/checkout',
      { cartId: id, payment: card(token), ...(points ? { loyaltyPoints: points } : {}) },
      { ...h, 'idempotency-key': key },
    );
  };

  it('pays with points: the discount is on the order, the points leave the balance once, a cancellation gives them back', async () => {
    const plain = await checkout(undefined);
    expect(plain.statusCode, plain.body).toBe(201);
    const res = await checkout(300);
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json();
    expect(order.totals.discount).toEqual({ amount: '300', currency: 'USD' });
    expect(BigInt(order.totals.total.amount)).toBe(BigInt(plain.json().totals.total.amount) - 300n);
    const after = await balance();
    expect(after.balance).toBe(700);
    expect(after.history.items[0]).toMatchObject({ kind: 'redeemed', points: -300, orderId: order.id });
    // The payment authorized the discounted total.
    const payments = await w.ok(w.adminCall('GET', `/admin/payments?orderId=${order.id}`));
    expect(payments.items[0].amount).toEqual(order.totals.total);

    await waitFor(
      async () =>
        (await w.ok(w.inject('GET', `/orders/${order.id}`, undefined, auth))).status === 'confirmed',
      'confirmed',
    );
    expect(
      (await w.inject('POST', `/orders/${order.id}/cancel`, { reason: 'changed my mind' }, auth)).statusCode,
    ).toBe(200);
    await waitFor(async () => (await balance()).balance === 1000, 'points given back on cancellation');
    expect(
      (await balance()).history.items.filter((i) => i.kind === 'released' && i.orderId === order.id),
    ).toHaveLength(1);
  });

  it('a failed checkout releases the redeemed points; refusals hold nothing (G5)', async () => {
    const before = await w.reserved(SKU);
    const declined = await checkout(200, 'tok_declined');
    expect(declined.statusCode, declined.body).toBe(402);
    expect((await balance()).balance).toBe(1000);
    const [redeemed, released] = ['redeemed', 'released'].map((k) =>
      (async () => (await balance()).history.items.filter((i) => i.kind === k).length)(),
    );
    expect(await redeemed).toBe(await released);

    const tooMany = await checkout(1001);
    expect(tooMany.statusCode, tooMany.body).toBe(409);
    expect(tooMany.json().code).toBe('insufficient_points');
    const tooMuch = await checkout(2501);
    expect(tooMuch.statusCode, tooMuch.body).toBe(422);
    expect(tooMuch.json().code).toBe('points_exceed_order');
    const guest = await checkout(10, 'tok_visa', newId(), {});
    expect(guest.statusCode, guest.body).toBe(422);
    expect(guest.json().code).toBe('loyalty_requires_customer');
    for (const loyaltyPoints of [0, -5, 1.5, '10']) {
      const { id, h } = await cart(auth);
      const bad = await w.inject(
        'POST',
        '/checkout',
        { cartId: id, payment: card(), loyaltyPoints },
        { ...h, 'idempotency-key': newId() },
      );
      expect(bad.statusCode, String(loyaltyPoints)).toBe(400);
    }
    expect((await balance()).balance).toBe(1000);
    expect(await w.reserved(SKU)).toBe(before);
  });

  it('a retried checkout redeems once; parallel checkouts never spend more than the balance', async () => {
    const { id, h } = await cart(auth);
    const key = newId();
    const body = { cartId: id, payment: card(), loyaltyPoints: 100 };
    const first = await w.inject('POST', '/checkout', body, { ...h, 'idempotency-key': key });
    const again = await w.inject('POST', '/checkout', body, { ...h, 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect((await balance()).balance).toBe(900);

    const carts = await Promise.all([1, 2, 3].map(() => cart(auth)));
    const results = await Promise.all(
      carts.map(({ id: cartId, h: headers }) =>
        w.inject(
          'POST',
          '/checkout',
          { cartId, payment: card(), loyaltyPoints: 400 },
          { ...headers, 'idempotency-key': newId() },
        ),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes, results.map((r) => r.body).join('\n')).toEqual([201, 201, 409]);
    expect((await balance()).balance).toBe(100);
  });
});
