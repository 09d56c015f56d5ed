import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import { type PromoWorld, startPromoWorld } from './promotion.fixtures.js';

/**
 * Promotion rules through the admin API (validation PM-P0-02, conflicts PM-P1-01, rules as data
 * PM-P1-03) and codes on carts with their stable refusal reasons.
 */
describe.each(TEST_DATABASES)('promotion admin and cart codes on %s', (kind) => {
  let w: PromoWorld;
  const SKU = `PA-${newId().slice(-6)}`.toUpperCase();

  beforeAll(async () => {
    w = await startPromoWorld(kind, { PROMOTION_FIXED_MAX_AMOUNT: '5000' });
    await w.product(SKU, '2000', 100);
  }, 60_000);
  afterAll(() => w?.close());

  const create = (body: Record<string, unknown>) => w.adminCall('POST', '/admin/promotions', body);

  it('validates every rule: 400 with the field, never stored', async () => {
    for (const [body, path] of [
      [{ name: 'x', type: 'percentage', value: 101 }, 'body.value'],
      [{ name: 'x', type: 'percentage', value: -5 }, 'body.value'],
      [{ name: 'x', type: 'fixed', value: '5001', currency: 'USD' }, 'body.value'],
      [{ name: 'x', type: 'fixed', value: '100' }, 'body.currency'],
      [{ name: 'x', type: 'percentage', value: '10' }, 'body.value'],
      [{ name: 'x', type: 'percentage' }, 'body.value'],
      [{ name: 'x', type: 'buy_x_get_y' }, 'body.buyQuantity'],
      [{ name: 'x', type: 'percentage', value: 10, budget: '100' }, 'body.currency'],
      [{ name: 'x', type: 'bogus', value: 10 }, 'body.type'],
    ] as const) {
      const res = await create({ ...body, priority: w.nextPriority() });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json().errors)).toContain(path);
    }
    expect((await w.ok(w.adminCall('GET', '/admin/promotions?limit=100'))).items).toEqual([]);
    // The customer service runs in this process, so segment conditions are honoured (its
    // segments), not refused with segments_unavailable as in a process without it.
    const seg = await create({
      name: 'x',
      type: 'percentage',
      value: 5,
      conditions: { segments: ['vip'] },
      priority: w.nextPriority(),
    });
    expect(seg.statusCode, seg.body).toBe(201);
    expect((await w.adminCall('DELETE', `/admin/promotions/${seg.json().id}`)).statusCode).toBeLessThan(300);
  });

  it('reports conflicts with the conflicting promotions, and CRUD works', async () => {
    const priority = w.nextPriority();
    const first = await w.ok(
      create({ name: 'Exclusive', type: 'percentage', value: 5, priority, code: 'first5' }),
    );
    expect(first).toMatchObject({
      code: 'FIRST5',
      automatic: false,
      value: 5,
      stackable: false,
      state: 'active',
    });
    const clash = await create({ name: 'Clash', type: 'fixed', value: '100', currency: 'USD', priority });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({
      code: 'promotion_conflict',
      conflicts: [{ id: first.id, code: 'FIRST5' }],
    });
    const taken = await create({
      name: 'Dup',
      type: 'percentage',
      value: 5,
      code: 'FIRST5',
      priority: w.nextPriority(),
    });
    expect(taken.json().code).toBe('promotion_code_taken');
    const other = await w.ok(
      create({
        name: 'Other',
        type: 'fixed',
        value: '100',
        currency: 'USD',
        priority: w.nextPriority(),
        code: 'OTHER1',
      }),
    );
    // Moving it onto the first one's priority conflicts as well.
    const moved = await w.adminCall('PATCH', `/admin/promotions/${other.id}`, { priority });
    expect(moved.statusCode).toBe(409);
    const patched = await w.ok(
      w.adminCall('PATCH', `/admin/promotions/${other.id}`, { value: '250', name: 'Renamed' }),
    );
    expect(patched).toMatchObject({ value: '250', name: 'Renamed', version: 2 });
    expect(await w.ok(w.adminCall('GET', `/admin/promotions/${other.id}`))).toMatchObject({ value: '250' });
    expect((await w.adminCall('DELETE', `/admin/promotions/${other.id}`)).statusCode).toBe(204);
    expect((await w.adminCall('GET', `/admin/promotions/${other.id}`)).statusCode).toBe(404);
    expect((await w.adminCall('DELETE', `/admin/promotions/${first.id}`)).statusCode).toBe(204);
    // Customers and guests cannot manage promotions.
    expect((await w.inject('GET', '/admin/promotions')).statusCode).toBe(401);
  });

  it('a cart shows each discount and why a code is refused; rules edited at run time apply at once', async () => {
    const code = `MIN${newId().slice(-5)}`.toUpperCase();
    const promo = await w.promotion({
      code,
      name: 'Five off above 50',
      type: 'fixed',
      value: '500',
      currency: 'USD',
      conditions: { minSubtotal: '5000', skus: [SKU] },
    });
    const cart = await w.cart(w.guest(), [[SKU, 1]]);
    const unknown = await w.inject('POST', `/carts/${cart.id}/promotions`, { code: 'NOSUCH' }, cart.headers);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown_promotion_code');
    const applied = await w.ok(
      w.inject('POST', `/carts/${cart.id}/promotions`, { code: code.toLowerCase() }, cart.headers),
    );
    expect(applied.promotionCodes).toEqual([
      { code, status: 'refused', reason: 'condition_not_met', condition: 'min_subtotal' },
    ]);
    expect(applied.totals.discount.amount).toBe('0');
    // The rule changes (data): the same cart now qualifies.
    await w.ok(
      w.adminCall('PATCH', `/admin/promotions/${promo.id}`, {
        conditions: { minSubtotal: '1000', skus: [SKU] },
      }),
    );
    const view = await w.ok(w.inject('GET', `/carts/${cart.id}`, undefined, cart.headers));
    expect(view.promotionCodes).toEqual([{ code, status: 'applied', reason: null, condition: null }]);
    expect(view.totals.discount.amount).toBe('500');
    expect(view.items[0].discount.amount).toBe('500');
    expect(view.discounts).toEqual([expect.objectContaining({ promotionId: promo.id, code })]);
    const t = view.totals;
    expect(BigInt(t.total.amount)).toBe(
      BigInt(t.subtotal.amount) -
        BigInt(t.discount.amount) +
        BigInt(t.shipping.amount) +
        BigInt(t.tax.amount),
    );
    // An ended window: expired.
    await w.ok(
      w.adminCall('PATCH', `/admin/promotions/${promo.id}`, {
        endsAt: new Date(Date.now() - 1000).toISOString(),
      }),
    );
    const expired = await w.ok(w.inject('GET', `/carts/${cart.id}`, undefined, cart.headers));
    expect(expired.promotionCodes[0]).toMatchObject({ status: 'refused', reason: 'expired' });
    const removed = await w.ok(
      w.inject('DELETE', `/carts/${cart.id}/promotions/${code}`, undefined, cart.headers),
    );
    expect(removed.promotionCodes).toEqual([]);
    expect(
      (await w.inject('DELETE', `/carts/${cart.id}/promotions/${code}`, undefined, cart.headers)).statusCode,
    ).toBe(404);
    // Someone else's cart: 404 (G9).
    expect((await w.inject('POST', `/carts/${cart.id}/promotions`, { code })).statusCode).toBe(404);
  });
});
