import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import { type PromoWorld, startPromoWorld } from './promotion.fixtures.js';

/**
 * Cart views read the promotion rules through the promotion service's cache (`{ cached: true }`),
 * the checkout saga on the database; every rule change or usage move in the process drops the
 * cache, so a view never shows a rule or a counter older than the last change it could know of.
 */
describe.each(TEST_DATABASES)('promotion rules cache on %s', (kind) => {
  let w: PromoWorld;
  const SKU = `RC-${newId().slice(-6)}`.toUpperCase();
  beforeAll(async () => {
    w = await startPromoWorld(kind);
    await w.product(SKU, '2000', 100);
  }, 60_000);
  afterAll(() => w?.close());

  /** Statements that read the promotion rules while `fn` runs. */
  const ruleReads = async (fn: () => Promise<unknown>) => {
    const stats = w.platform.orderline.database.stats;
    let reads = 0;
    stats.onStatement = (s) => {
      if (/from "promotion"\."promotions"/.test(s)) reads++;
    };
    try {
      await fn();
    } finally {
      stats.onStatement = undefined;
    }
    return reads;
  };

  it('repeated cart views read the rules once; the checkout reads them from the database', async () => {
    const code = `RC${newId().slice(-6)}`.toUpperCase();
    await w.promotion({ code, name: 'Ten off', type: 'percentage', value: 10, conditions: { skus: [SKU] } });
    const cart = await w.cart(w.guest(), [[SKU, 1]], [code]);
    const views = await ruleReads(async () => {
      for (let i = 0; i < 3; i++) {
        const view = await w.ok(w.inject('GET', `/carts/${cart.id}`, undefined, cart.headers));
        expect(view.totals.discount.amount).toBe('200');
      }
    });
    expect(views).toBeLessThanOrEqual(1);
    const checkout = await ruleReads(async () => expect((await w.checkoutCart(cart)).statusCode).toBe(201));
    expect(checkout).toBeGreaterThanOrEqual(1);
  });

  it('a new automatic promotion and a used-up limit show in the next view at once', async () => {
    const code = `ONCE${newId().slice(-6)}`.toUpperCase();
    await w.promotion({
      code,
      name: 'Once only',
      type: 'fixed',
      value: '100',
      currency: 'USD',
      usageLimit: 1,
      conditions: { skus: [SKU] },
    });
    const first = await w.cart(w.guest(), [[SKU, 1]], [code]);
    const second = await w.cart(w.guest(), [[SKU, 1]], [code]);
    const before = await w.ok(w.inject('GET', `/carts/${second.id}`, undefined, second.headers));
    expect(before.promotionCodes[0]).toMatchObject({ code, status: 'applied' });
    // The first cart's checkout takes the only use: the second cart's next view says so.
    expect((await w.checkoutCart(first)).statusCode).toBe(201);
    const after = await w.ok(w.inject('GET', `/carts/${second.id}`, undefined, second.headers));
    expect(after.promotionCodes[0]).toMatchObject({ code, status: 'refused', reason: 'limit_reached' });

    // A rule created meanwhile applies to the next view of a cart viewed just before.
    await w.ok(w.inject('GET', `/carts/${second.id}`, undefined, second.headers));
    const auto = await w.promotion({
      name: 'Automatic five off',
      type: 'fixed',
      value: '500',
      currency: 'USD',
      stackable: true,
      conditions: { skus: [SKU] },
    });
    const view = await w.ok(w.inject('GET', `/carts/${second.id}`, undefined, second.headers));
    expect(view.discounts).toEqual([expect.objectContaining({ promotionId: auto.id, code: null })]);
    expect((await w.adminCall('DELETE', `/admin/promotions/${auto.id}`)).statusCode).toBeLessThan(300);
    const gone = await w.ok(w.inject('GET', `/carts/${second.id}`, undefined, second.headers));
    expect(gone.discounts).toEqual([]);
  });
});
