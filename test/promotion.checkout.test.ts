import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import { card } from './order.fixtures.js';
import { type PromoWorld, startPromoWorld } from './promotion.fixtures.js';

/**
 * Promotions in checkout through the public API (04-services.md "promotion", PM-P0-01): usage is
 * reserved by the saga in one conditional statement, so parallel checkouts never pass the usage
 * limit, the budget or the per-customer limit; a failed checkout gives it back; the order's
 * lifecycle confirms or releases it once, however often its events arrive (G4).
 */
describe.each(TEST_DATABASES)('promotions in checkout on %s', (kind) => {
  let w: PromoWorld;
  const sku = (name: string) => `PC-${name}-${newId().slice(-6)}`.toUpperCase();

  beforeAll(async () => {
    w = await startPromoWorld(kind);
  }, 60_000);
  afterAll(() => w?.close());

  const carried = (body: { totals: { discount: { amount: string } } }) => body.totals.discount.amount !== '0';

  it('a code with limit N redeemed by 3N parallel checkouts: exactly N orders carry it', async () => {
    const N = 3;
    const s = sku('LIMIT');
    await w.product(s, '1000', 100);
    const promo = await w.promotion({
      code: `LIM${newId().slice(-6)}`,
      name: 'Ten off, three times',
      type: 'percentage',
      value: 10,
      usageLimit: N,
      conditions: { skus: [s] },
    });
    const carts = [];
    for (let i = 0; i < 3 * N; i++) carts.push(await w.cart(w.guest(), [[s, 1]], [promo.code!]));
    const results = await Promise.all(carts.map((c) => w.checkoutCart(c)));
    const placed = results.filter((r) => r.statusCode === 201);
    const refused = results.filter((r) => r.statusCode !== 201);
    expect(placed.filter((r) => carried(r.json()))).toHaveLength(N);
    for (const r of refused) {
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json()).toMatchObject({
        code: 'promotion_unavailable',
        promotionCode: promo.code,
        reason: 'limit_reached',
      });
    }
    expect(placed).toHaveLength(N);
    for (const r of placed) {
      const body = r.json();
      expect(body.totals.discount.amount).toBe('100');
      expect(body.items[0].discount.amount).toBe('100');
      expect(body.discounts).toEqual([expect.objectContaining({ promotionId: promo.id, code: promo.code })]);
    }
    expect(await w.counters(promo.id)).toEqual({ uses: N, discount_used: String(N * 100) });
    expect(await w.stats(promo.id)).toMatchObject({ uses: N, discountGiven: String(N * 100) });
    // The refused checkouts released their stock too.
    expect(await w.reserved(s)).toBe(N);
  });

  it('a budget is never exceeded under parallel checkouts', async () => {
    const s = sku('BUDGET');
    await w.product(s, '1000', 100);
    // 250 off each order, budget 1000: four orders fit, the rest are refused.
    const promo = await w.promotion({
      name: 'Budgeted automatic',
      type: 'fixed',
      value: '250',
      currency: 'USD',
      budget: '1000',
      conditions: { skus: [s] },
    });
    const carts = [];
    for (let i = 0; i < 8; i++) carts.push(await w.cart(w.guest(), [[s, 1]]));
    const results = await Promise.all(carts.map((c) => w.checkoutCart(c)));
    const withDiscount = results.filter((r) => r.statusCode === 201 && carried(r.json()));
    expect(withDiscount).toHaveLength(4);
    const counters = await w.counters(promo.id);
    expect(BigInt(counters.discount_used)).toBeLessThanOrEqual(1000n);
    expect(counters).toEqual({ uses: 4, discount_used: '1000' });
    // An automatic promotion promises nothing: the rest are placed at full price, or refused when
    // the budget ran out between their quote and their reservation.
    for (const r of results.filter((x) => !withDiscount.includes(x))) {
      if (r.statusCode === 201) expect(r.json().totals.discount.amount).toBe('0');
      else expect(r.json()).toMatchObject({ code: 'promotion_unavailable', reason: 'budget_exhausted' });
    }
    expect(await w.stats(promo.id)).toMatchObject({ uses: 4, discountGiven: '1000' });
  });

  it('the per-customer limit holds under parallel checkouts of one customer', async () => {
    const s = sku('PERCUST');
    await w.product(s, '1000', 100);
    const promo = await w.promotion({
      code: `ONCE${newId().slice(-6)}`,
      name: 'Once per customer',
      type: 'fixed',
      value: '300',
      currency: 'USD',
      perCustomerLimit: 1,
      conditions: { skus: [s] },
    });
    const shopper = await w.customer();
    const carts = [];
    for (let i = 0; i < 5; i++) carts.push(await w.cart(shopper, [[s, 1]], [promo.code!]));
    const results = await Promise.all(carts.map((c) => w.checkoutCart(c)));
    expect(results.filter((r) => r.statusCode === 201 && carried(r.json()))).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 201))
      expect(r.json()).toMatchObject({ code: 'promotion_unavailable', reason: 'customer_limit_reached' });
    // Another customer may still use it; a guest may not (it needs a customer).
    const other = await w.customer();
    expect(
      (await w.checkoutCart(await w.cart(other, [[s, 1]], [promo.code!]))).json().totals.discount.amount,
    ).toBe('300');
    const guestCart = await w.cart(w.guest(), [[s, 1]], [promo.code!]);
    const view = await w.ok(w.inject('GET', `/carts/${guestCart.id}`, undefined, guestCart.headers));
    expect(view.promotionCodes).toEqual([
      { code: promo.code, status: 'refused', reason: 'sign_in_required', condition: null },
    ]);
    expect((await w.counters(promo.id)).uses).toBe(2);
  });

  it('a declined card releases the usage the checkout reserved', async () => {
    const s = sku('DECLINE');
    await w.product(s, '1000', 100);
    const promo = await w.promotion({
      code: `DEC${newId().slice(-6)}`,
      name: 'One use only',
      type: 'percentage',
      value: 50,
      usageLimit: 1,
      conditions: { skus: [s] },
    });
    const declined = await w.checkoutCart(
      await w.cart(w.guest(), [[s, 1]], [promo.code!]),
      card('tok_declined'),
    );
    expect(declined.statusCode, declined.body).toBe(402);
    expect(await w.counters(promo.id)).toEqual({ uses: 0, discount_used: '0' });
    expect(await w.stats(promo.id)).toMatchObject({ uses: 0, releasedUses: 1 });
    // The single use is free again.
    const ok = await w.checkoutCart(await w.cart(w.guest(), [[s, 1]], [promo.code!]));
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().totals.discount.amount).toBe('500');
  });

  it('lifecycle events delivered twice leave the same usage: delivered confirms once, cancelled releases once', async () => {
    const s = sku('LIFE');
    await w.product(s, '2000', 100);
    const promo = await w.promotion({
      code: `LIFE${newId().slice(-6)}`,
      name: 'Lifecycle',
      type: 'fixed',
      value: '500',
      currency: 'USD',
      conditions: { skus: [s] },
    });
    const first = (await w.ok(w.checkoutCart(await w.cart(w.guest(), [[s, 1]], [promo.code!])))) as {
      id: string;
    };
    const second = (await w.ok(w.checkoutCart(await w.cart(w.guest(), [[s, 1]], [promo.code!])))) as {
      id: string;
    };
    expect(await w.counters(promo.id)).toEqual({ uses: 2, discount_used: '1000' });
    const bus = w.platform.orderline.eventing.bus();
    const envelopeOf = async (orderId: string) => {
      const [row] = await w.sql<{ envelope: EventEnvelope<Record<string, unknown>> }>(
        `SELECT envelope FROM "order".outbox WHERE key = '${orderId}' AND topic = 'orders.order.status_changed' ORDER BY created_at LIMIT 1`,
      );
      return row!.envelope;
    };
    // `delivered` for the first order, twice with fresh ids and once more with the same id.
    const pending = await envelopeOf(first.id);
    const delivered = {
      ...pending,
      data: { ...pending.data, oldStatus: 'shipped', newStatus: 'delivered', sequence: 50 },
    };
    const deliveries = [delivered, delivered].map((e) => ({ ...e, id: newId() }));
    for (const e of [...deliveries, deliveries[0]!]) await bus.publish([e as EventEnvelope]);
    // The second order is cancelled by an admin (the real event), then its events arrive again.
    const cancel = await w.adminCall('POST', `/orders/${second.id}/cancel`, { reason: 'test' });
    expect(cancel.statusCode, cancel.body).toBeLessThan(300);
    await waitFor(
      async () => (await w.counters(promo.id)).uses === 1,
      'cancellation released the usage',
      10_000,
    );
    const secondEvents = await w.sql<{ envelope: EventEnvelope }>(
      `SELECT envelope FROM "order".outbox WHERE key = '${second.id}' AND topic = 'orders.order.status_changed'`,
    );
    const replay = [...secondEvents, ...secondEvents].map((r) => ({ ...r.envelope, id: newId() }));
    for (const e of replay) await bus.publish([e]);
    // The consumer skips statuses it does nothing with (no inbox row): wait for the ones it handles.
    const handled = [...deliveries, ...replay].filter((e) =>
      ['delivered', 'cancelled', 'refunded'].includes((e.data as { newStatus: string }).newStatus),
    );
    const ids = handled.map((e) => `'${e.id}'`).join(',');
    await waitFor(
      async () =>
        (
          await w.sql(
            `SELECT 1 FROM promotion.processed_events WHERE event_id IN (${ids}) AND subscription = 'promotion.order-status'`,
          )
        ).length === handled.length,
      'replays processed',
      10_000,
    );
    expect(await w.counters(promo.id)).toEqual({ uses: 1, discount_used: '500' });
    expect(await w.stats(promo.id)).toMatchObject({
      uses: 1,
      confirmedUses: 1,
      releasedUses: 1,
      discountGiven: '500',
    });
    const events = await w.sql<{ change: string }>(
      `SELECT envelope->'data'->>'change' AS change FROM promotion.outbox WHERE key = '${promo.id}' ORDER BY created_at, id`,
    );
    expect(events.map((e) => e.change)).toEqual(['reserved', 'reserved', 'confirmed', 'released']);
  });
});
