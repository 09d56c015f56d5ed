import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { checkoutTestKit, type OrderRig } from './checkout.fakes.js';
import { TEST_DATABASES } from './databases.js';

/**
 * The checkout saga through HTTP with in-memory doubles of warehouse, payment, pricing, shipping
 * and catalog: every path of the saga, its compensations and idempotency (crashes: checkout.recovery.test.ts).
 */
const API = '/api/v1';
const LEASE_SECONDS = 60;

interface OrderBody {
  id: string;
  status: string;
  paymentStatus: string;
  items: {
    sku: string;
    quantity: number;
    unitPrice: { amount: string };
    lineTotal: { amount: string };
    warehouseId: string;
  }[];
  totals: Record<
    'subtotal' | 'discount' | 'shipping' | 'tax' | 'total',
    { amount: string; currency: string }
  >;
  payment: { id: string; method: string; status: string };
  shippingMethod: { id: string };
  currency: string;
}

describe.each(TEST_DATABASES)('checkout saga on %s', (kind) => {
  let rig: OrderRig;
  // biome-ignore lint/suspicious/noExplicitAny: test reads of the order schema and platform tables
  let db: Kysely<any>;
  const { post, cart, checkout, count, nothingLeftFor } = checkoutTestKit(
    kind,
    { IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) },
    (r) => {
      rig = r;
      db = r.db;
    },
  );
  it('creates the order, items and the pending event in one go and lets the guest read it', async () => {
    const c = await cart([['MUG', 3]]);
    const res = await checkout(c, newId());
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json<OrderBody>();
    // subtotal 3750 + shipping 500+900 g = 1400; tax 10 % of 5150 = 515; total 5665.
    expect(order).toMatchObject({
      status: 'pending',
      paymentStatus: 'authorized',
      currency: 'USD',
      payment: { method: 'card', status: 'authorized' },
      shippingMethod: { id: 'std' },
    });
    expect(order.totals.total).toEqual({ amount: '5665', currency: 'USD' });
    expect(order.items).toEqual([
      expect.objectContaining({ sku: 'MUG', quantity: 3, lineTotal: { amount: '3750', currency: 'USD' } }),
    ]);

    const [payment] = await rig.payment.paymentsForOrder(order.id);
    expect(payment).toMatchObject({ status: 'authorized', amount: { amount: 5665n, currency: 'USD' } });
    expect(rig.warehouse.active().filter((r) => r.reference === `checkout:${order.id}:reserve`)).toHaveLength(
      1,
    );

    const event = await db
      .selectFrom('outbox')
      .selectAll()
      .where('key', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(event.topic).toBe('orders.order.status_changed');
    expect(event.envelope.data).toMatchObject({
      orderId: order.id,
      oldStatus: null,
      newStatus: 'pending',
      sequence: 1,
      total: { amount: '5665', currency: 'USD' },
      currency: 'USD',
      items: [{ sku: 'MUG', quantity: 3, warehouseId: '0190a000-0000-7000-8000-00000000000a' }],
    });
    const steps = await db
      .selectFrom('saga_steps')
      .select(['step', 'status'])
      .where('saga_id', '=', order.id)
      .execute();
    expect(
      Object.fromEntries(steps.map((s: { step: string; status: string }) => [s.step, s.status])),
    ).toEqual({
      validate: 'completed',
      quote: 'completed',
      reserve: 'completed',
      authorize: 'completed',
      'create-order': 'completed',
    });

    const read = await rig.app.inject({
      method: 'GET',
      url: `${API}/orders/${order.id}`,
      headers: { 'x-cart-token': c.token },
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(order);
    const other = await cart([]);
    for (const headers of [{}, { 'x-cart-token': other.token }]) {
      expect(
        (await rig.app.inject({ method: 'GET', url: `${API}/orders/${order.id}`, headers })).statusCode,
      ).toBe(404);
    }
    // The cart is closed: no more changes, no second checkout.
    const again = await post(
      `/carts/${c.id}/items`,
      { sku: 'MUG', quantity: 1 },
      { 'x-cart-token': c.token },
    );
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('cart_not_active');
    const second = await checkout(c, newId());
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('cart_not_active');
  });

  it('replays the same key and body: same order, one authorization, one reservation (G2)', async () => {
    const c = await cart([['MUG', 1]]);
    const key = newId();
    const before = { auth: rig.payment.authorizeCalls, reserve: rig.warehouse.reserveCalls };
    const first = await checkout(c, key);
    const second = await checkout(c, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(rig.payment.authorizeCalls - before.auth).toBe(1);
    expect(rig.warehouse.reserveCalls - before.reserve).toBe(1);
    expect(await count('orders', { cart_id: c.id })).toBe(1);

    const reused = await checkout(c, key, { method: 'cod' });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
  });

  it('runs concurrent duplicates once: one order, the others 409 in use or the replay', async () => {
    const c = await cart([['MUG', 2]]);
    const key = newId();
    const results = await Promise.all(Array.from({ length: 6 }, () => checkout(c, key)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const r of results)
      if (r.statusCode !== 201) {
        expect(r.statusCode).toBe(409);
        expect(r.json().code).toBe('idempotency_key_in_use');
      }
    const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(await count('orders', { cart_id: c.id })).toBe(1);
    expect(await count('checkouts', { cart_id: c.id })).toBe(1);
  });

  it('requires the key, the cart token and a card token; refusals store nothing (G8)', async () => {
    const c = await cart([['MUG', 1]]);
    const noKey = await checkout(c, undefined);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().code).toBe('idempotency_key_required');
    const noToken = await checkout(c, newId(), { method: 'card' });
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json().errors[0].path).toBe('body.payment.token');
    const badMethod = await checkout(c, newId(), { method: 'bitcoin' });
    expect(badMethod.statusCode).toBe(400);
    const key = newId();
    const notOwner = await post(
      '/checkout',
      { cartId: c.id, payment: { method: 'cod' } },
      { 'idempotency-key': key },
    );
    expect(notOwner.statusCode).toBe(404);
    const empty = await cart([]);
    const emptyRes = await checkout(empty, key);
    expect(emptyRes.statusCode).toBe(422);
    expect(emptyRes.json().code).toBe('cart_empty');
    const noAddress = await cart([['MUG', 1]], { address: false });
    expect((await checkout(noAddress, newId())).json().code).toBe('shipping_address_required');
    const noMethod = await cart([['MUG', 1]], { method: '' });
    expect((await checkout(noMethod, newId())).json().code).toBe('shipping_method_required');
    for (const id of [c.id, empty.id, noAddress.id, noMethod.id])
      expect(await count('checkouts', { cart_id: id })).toBe(0);
    // Validation failures are not recorded: the same key works for a valid request afterwards.
    expect(await count('idempotency_keys', { key })).toBe(0);
    const ok = await checkout(c, key, { method: 'cod' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({
      paymentStatus: 'pending',
      payment: { method: 'cod', status: 'pending' },
    });
  });

  it('refuses a cart whose item lost its price with 422 price_unavailable before reserving', async () => {
    rig.catalog.add('FLEETING');
    rig.pricing.set('FLEETING', 100n);
    const c = await cart([['FLEETING', 1]]);
    rig.pricing.prices.delete('FLEETING:USD');
    const before = rig.warehouse.reserveCalls;
    const res = await checkout(c, newId());
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'price_unavailable', skus: ['FLEETING'] });
    expect(rig.warehouse.reserveCalls).toBe(before);
  });

  it('answers out of stock with 409 and the shortfall; the key may be retried after a restock', async () => {
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000a', 'RARE', 1);
    const c = await cart([['RARE', 2]]);
    const key = newId();
    const res = await checkout(c, key);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'out_of_stock',
      unavailable: [{ sku: 'RARE', requested: 2, available: 1 }],
    });
    expect(rig.payment.live().filter((p) => p.amount.amount === 0n)).toHaveLength(0);
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000b', 'RARE', 1);
    const retry = await checkout(c, key);
    expect(retry.statusCode, retry.body).toBe(201);
  });

  it('splits an item across warehouses into one order row per warehouse', async () => {
    const c = await cart([['SPLIT', 5]]);
    const res = await checkout(c, newId());
    expect(res.statusCode, res.body).toBe(201);
    const items = res
      .json<OrderBody>()
      .items.map((i) => [i.warehouseId.slice(-1), i.quantity, i.lineTotal.amount] as const);
    expect(items.sort()).toEqual([
      ['a', 2, '1400'],
      ['b', 3, '2100'],
    ]);
    expect(res.json<OrderBody>().totals.subtotal.amount).toBe('3500');
  });

  it('declined: 402, reservation released, replayed as 402 without charging again', async () => {
    const c = await cart([['MUG', 1]]);
    const key = newId();
    const res = await checkout(c, key, { method: 'card', token: 'tok_declined' });
    expect(res.statusCode).toBe(402);
    expect(res.json().code).toBe('payment_declined');
    await nothingLeftFor(c.id);
    const calls = rig.payment.authorizeCalls;
    const replay = await checkout(c, key, { method: 'card', token: 'tok_declined' });
    expect(replay.statusCode).toBe(402);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(rig.payment.authorizeCalls).toBe(calls);
    // The cart is still active: a new attempt with another card works.
    expect((await checkout(c, newId())).statusCode).toBe(201);
  });

  it('timed out: 503, the authorization the provider made is voided and the stock released', async () => {
    const c = await cart([['MUG', 1]]);
    const res = await checkout(c, newId(), { method: 'card', token: 'tok_timeout' });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('payment_unavailable');
    await nothingLeftFor(c.id);
    const checkoutRow = await db
      .selectFrom('checkouts')
      .selectAll()
      .where('cart_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect((await rig.payment.paymentsForOrder(checkoutRow.id)).map((p) => p.status)).toEqual(['voided']);
  });

  it('circuit open: 503 with Retry-After, nothing held, and the same key works once the provider is back', async () => {
    const c = await cart([['MUG', 1]]);
    const key = newId();
    rig.payment.circuitOpen = true;
    try {
      const res = await checkout(c, key);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      await nothingLeftFor(c.id);
    } finally {
      rig.payment.circuitOpen = false;
    }
    expect((await checkout(c, key)).statusCode).toBe(201);
  });

  it('records a compensation that fails and finishes it through the module handler (G5)', async () => {
    const c = await cart([['MUG', 1]]);
    rig.warehouse.releaseFails = true;
    try {
      const res = await checkout(c, newId(), { method: 'card', token: 'tok_declined' });
      expect(res.statusCode).toBe(402);
    } finally {
      rig.warehouse.releaseFails = false;
    }
    const row = await db
      .selectFrom('checkouts')
      .selectAll()
      .where('cart_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const failed = await db
      .selectFrom('failed_compensations')
      .selectAll()
      .where('saga_id', '=', row.id)
      .execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ action: 'release-reservation', step: 'reserve', status: 'pending' });
    expect(rig.warehouse.active().filter((r) => r.id === row.reservation_id)).toHaveLength(1);
    const handler = rig.module.compensations!['release-reservation']!;
    await handler(failed[0]!.payload, {
      sagaType: 'checkout',
      sagaId: row.id,
      step: 'reserve',
      attempt: 2,
      logger: createLogger({ level: 'silent' }),
    });
    await nothingLeftFor(c.id);
  });

  it('sells exactly the stock to many parallel carts (each its own checkout)', async () => {
    rig.catalog.add('FIVE');
    rig.pricing.set('FIVE', 999n);
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000a', 'FIVE', 5);
    const carts = [];
    for (let i = 0; i < 20; i++) carts.push(await cart([['FIVE', 1]]));
    const results = await Promise.all(carts.map((c) => checkout(c, newId())));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((s) => s === 201)).toHaveLength(5);
    expect(codes.filter((s) => s === 409)).toHaveLength(15);
    for (const r of results) if (r.statusCode === 409) expect(r.json().code).toBe('out_of_stock');
    expect(rig.warehouse.available('FIVE')).toBe(0);
  });
});
