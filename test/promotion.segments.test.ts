import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { GERMAN_ADDRESS } from './customer.fixtures.js';
import { TEST_DATABASES } from './harness.js';
import { type PromoWorld, type Shopper, startPromoWorld } from './promotion.fixtures.js';

const NEVER = '0 0 1 1 *';

/**
 * A promotion bound to a customer segment, end to end through the public API (issue 12): the
 * segment is created by an admin, a customer becomes a member by the segment's rules (a German
 * default address, evaluated by the segment job), and only the member's cart gets the discount.
 */
describe.each(TEST_DATABASES)('segment-bound promotions on %s', (kind) => {
  let w: PromoWorld;

  beforeAll(async () => {
    w = await startPromoWorld(kind, { CUSTOMER_SEGMENT_EVALUATION_CRON: NEVER });
  }, 60_000);
  afterAll(() => w?.close());

  const addGermanAddress = async (shopper: Shopper) => {
    const res = await w.inject('POST', '/customers/me/addresses', GERMAN_ADDRESS, shopper.headers);
    expect(res.statusCode, res.body).toBe(201);
  };

  it('applies only to members: a non-member is refused with condition_not_met, the member’s order carries the discount', async () => {
    const tag = newId().slice(-6).toUpperCase();
    const sku = `SEG-MUG-${tag}`;
    await w.product(sku, '2000', 50);
    const segment = await w.ok(
      w.adminCall('POST', '/admin/segments', { name: `germans-${tag}`, rules: { countries: ['DE'] } }),
    );
    const promo = await w.promotion({
      code: `DE${tag}`,
      name: 'Ten percent for Germany',
      type: 'percentage',
      value: 10,
      conditions: { segments: [segment.id] },
    });

    const member = await w.customer();
    const outsider = await w.customer();
    await addGermanAddress(member);
    expect(
      await w.platform.orderline.eventing.scheduler('customer')!.runNow('segment-evaluation'),
    ).toMatchObject({ ran: true, status: 'succeeded' });
    const members = await w.ok(w.adminCall('GET', `/admin/segments/${segment.id}/members?limit=100`));
    const memberIds = members.items.map((m: { customerId: string }) => m.customerId);
    expect(memberIds).toContain(member.customerId);
    expect(memberIds).not.toContain(outsider.customerId);

    // The non-member: the code is known, kept, and refused with the stable reason; no discount.
    const refusedCart = await w.cart(outsider, [[sku, 1]], [promo.code!]);
    const refused = await w.ok(w.inject('GET', `/carts/${refusedCart.id}`, undefined, refusedCart.headers));
    expect(refused.promotionCodes).toEqual([
      { code: promo.code, status: 'refused', reason: 'condition_not_met', condition: 'segment' },
    ]);
    expect(refused.totals.discount.amount).toBe('0');
    const plain = await w.checkoutCart(refusedCart);
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json().totals.discount.amount).toBe('0');

    // The member: 10 % of 2000 on the cart, and the order carries it.
    const memberCart = await w.cart(member, [[sku, 1]], [promo.code!]);
    const applied = await w.ok(w.inject('GET', `/carts/${memberCart.id}`, undefined, memberCart.headers));
    expect(applied.promotionCodes).toEqual([
      { code: promo.code, status: 'applied', reason: null, condition: null },
    ]);
    expect(applied.totals.discount).toEqual({ amount: '200', currency: 'USD' });
    const placed = await w.checkoutCart(memberCart);
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();
    expect(order.totals.discount).toEqual({ amount: '200', currency: 'USD' });
    expect(order.items[0].discount.amount).toBe('200');
    expect(order.discounts).toEqual([expect.objectContaining({ promotionId: promo.id, code: promo.code })]);
    expect(await w.stats(promo.id)).toMatchObject({ uses: 1, discountGiven: '200' });
  });
});
