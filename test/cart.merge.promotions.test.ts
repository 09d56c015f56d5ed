import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import { type PromoWorld, type Shopper, startPromoWorld } from './promotion.fixtures.js';

/**
 * A guest cart's promotion codes at login (issue 12): they come along when the guest cart is merged
 * into the customer's, are re-evaluated for the customer, and those that no longer apply are
 * removed and reported as `droppedPromotionCodes` with their reason.
 */
describe.each(TEST_DATABASES)('promotion codes through a cart merge on %s', (kind) => {
  let w: PromoWorld;
  let sku: string;
  let open: { code: string | null };
  let ownCode: { code: string | null };
  let germansOnly: { code: string | null };

  beforeAll(async () => {
    w = await startPromoWorld(kind);
    const tag = newId().slice(-6).toUpperCase();
    sku = `MP-MUG-${tag}`;
    await w.product(sku, '3000', 50);
    open = await w.promotion({
      code: `OPEN${tag}`,
      name: 'Five off',
      type: 'percentage',
      value: 5,
      stackable: true,
    });
    ownCode = await w.promotion({
      code: `OWN${tag}`,
      name: 'Three off',
      type: 'percentage',
      value: 3,
      stackable: true,
    });
    // A segment nobody in this test belongs to.
    const segment = await w.ok(
      w.adminCall('POST', '/admin/segments', { name: `nobody-${tag}`, rules: { countries: ['IS'] } }),
    );
    germansOnly = await w.promotion({
      code: `SEG${tag}`,
      name: 'Segment only',
      type: 'percentage',
      value: 20,
      stackable: true,
      conditions: { segments: [segment.id] },
    });
  }, 60_000);
  afterAll(() => w?.close());

  const merge = (guest: { id: string; headers: Record<string, string> }, customer: Shopper) =>
    w.inject('POST', `/carts/${guest.id}/merge`, undefined, { ...guest.headers, ...customer.headers });

  it('into the customer’s cart: codes join theirs, the one that no longer applies is dropped and reported', async () => {
    const customer = await w.customer();
    const own = await w.cart(customer, [[sku, 1]], [ownCode.code!]);
    const guest = await w.cart(w.guest(), [[sku, 1]], [open.code!, germansOnly.code!]);
    const res = await merge(guest, customer);
    expect(res.statusCode, res.body).toBe(200);
    const cart = res.json();
    expect(cart.id).toBe(own.id);
    expect(cart.promotionCodes).toEqual([
      { code: ownCode.code, status: 'applied', reason: null, condition: null },
      { code: open.code, status: 'applied', reason: null, condition: null },
    ]);
    expect(cart.droppedPromotionCodes).toEqual([{ code: germansOnly.code, reason: 'condition_not_met' }]);
    // Stacked in priority order: 5 % of 6000, then 3 % of the remaining 5700.
    expect(cart.totals.discount).toEqual({ amount: '471', currency: 'USD' });

    // A replay answers with the same cart and report; entering a code clears the report.
    const again = await merge(guest, customer);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().droppedPromotionCodes).toEqual(cart.droppedPromotionCodes);
    expect(again.json().version).toBe(cart.version);
    const removed = await w.inject(
      'DELETE',
      `/carts/${own.id}/promotions/${open.code}`,
      undefined,
      own.headers,
    );
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().droppedPromotionCodes).toEqual([]);

    // The order placed from the merged cart carries what the cart showed.
    const placed = await w.checkoutCart(own);
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().totals.discount).toEqual({ amount: '180', currency: 'USD' });
  });

  it('bound to a customer without a cart: the guest’s codes are re-evaluated for the customer', async () => {
    const customer = await w.customer();
    const guest = await w.cart(w.guest(), [[sku, 2]], [germansOnly.code!, open.code!]);
    const res = await merge(guest, customer);
    expect(res.statusCode, res.body).toBe(200);
    const cart = res.json();
    expect(cart.id).toBe(guest.id);
    expect(cart.promotionCodes.map((c: { code: string }) => c.code)).toEqual([open.code]);
    expect(cart.droppedPromotionCodes).toEqual([{ code: germansOnly.code, reason: 'condition_not_met' }]);
    expect(cart.totals.discount.amount).toBe('300');
  });

  it('a cart whose codes all apply merges with nothing dropped', async () => {
    const customer = await w.customer();
    const guest = await w.cart(w.guest(), [[sku, 1]], [open.code!]);
    const res = await merge(guest, customer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().droppedPromotionCodes).toEqual([]);
    expect(res.json().promotionCodes).toEqual([
      { code: open.code, status: 'applied', reason: null, condition: null },
    ]);
  });
});
