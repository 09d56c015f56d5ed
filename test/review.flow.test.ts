import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import { deliver, republished, statusEvent } from './lifecycle.fixtures.js';

const API = '/api/v1';
const SERVICES = ['user', 'auth', 'customer', 'notification', 'catalog', 'review'];

/**
 * Reviews through the public API (04-services.md "review", RV-P1-01, RV-P1-02): only a customer
 * who received the product reviews it, once; screening holds suspicious text for a moderator; the
 * public list and the catalog's product view carry a summary that always equals a recount.
 */
describe.each(TEST_DATABASES)('reviews on %s', (kind) => {
  let p: TestPlatform;
  let admin: Record<string, string>;
  let productId: string;
  const shopper = async () => {
    const c = await verifiedCustomer(p.app);
    return { id: c.id, headers: bearer((await customerToken(p.app, c)).accessToken) };
  };
  type Shopper = Awaited<ReturnType<typeof shopper>>;
  const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: object) =>
    p.app.inject({ method: method as 'GET', url: `${API}${url}`, headers, ...(payload ? { payload } : {}) });
  /** The order service's announcement that `who` received an order with the product. */
  const delivered = (who: Shopper) => {
    const e = statusEvent({ orderId: newId(), customerId: who.id, total: '2500' }, 'delivered', new Date());
    const data = e.data as Record<string, unknown>;
    return { ...e, data: { ...data, items: [{ sku: 'REV-SKU', productId, quantity: 1 }] } } as EventEnvelope;
  };
  const post = (who: Shopper, body: object) =>
    call('POST', `/products/${productId}/reviews`, who.headers, body);
  const good = {
    rating: 5,
    title: 'Lovely mug',
    body: 'Holds a big coffee and keeps it warm for a long time.',
  };
  const publicList = async () => (await call('GET', `/products/${productId}/reviews`)).json();
  const rows = async <T>(text: string) => (await sql.raw<T>(text).execute(p.orderline.database.root)).rows;
  const catalogRating = async () => (await call('GET', `/products/${productId}`)).json().rating;

  beforeAll(async () => {
    p = await startTestPlatform(kind, { services: SERVICES, env: { RATE_LIMIT_ENABLED: 'false' } });
    admin = bearer((await loginAs(p.app)).accessToken);
    const product = await call('POST', '/admin/products', admin, {
      sku: `REV-${newId().slice(-8)}`,
      name: 'Mug',
    });
    expect(product.statusCode, product.body).toBe(201);
    productId = product.json().id;
  }, 60_000);
  afterAll(() => p?.close());

  it('only after a delivered order, once per customer and product, also under parallel posts', async () => {
    const ada = await shopper();
    const before = await post(ada, good);
    expect(before.statusCode, before.body).toBe(403);
    expect(before.json().code).toBe('not_purchased');
    expect((await call('POST', `/products/${productId}/reviews`, {}, good)).statusCode).toBe(401);

    await deliver(p, 'review', [delivered(ada)]);
    for (const bad of [
      { ...good, rating: 6 },
      { ...good, rating: 4.5 },
      { ...good, title: '' },
      { rating: 5, title: 'No body' },
    ]) {
      const res = await post(ada, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const [a, b] = await Promise.all([post(ada, good), post(ada, good)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect((a.statusCode === 409 ? a : b).json().code).toBe('already_reviewed');
    expect((a.statusCode === 201 ? a : b).json().status).toBe('published');

    const list = await publicList();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).not.toHaveProperty('customerId');
    expect(list.summary).toEqual({
      count: 1,
      average: { numerator: 5, denominator: 1 },
      histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 },
    });
    await waitFor(async () => (await catalogRating())?.count === 1, 'catalog counts the review');
  });

  it('screening holds a link for a moderator; approve and reject keep list, summary and catalog equal to a recount', async () => {
    const [bo, cy] = [await shopper(), await shopper()];
    await deliver(p, 'review', [delivered(bo), delivered(cy)]);
    const held = await post(bo, {
      rating: 3,
      title: 'Meh',
      body: 'Cheaper at http://spam.example/mugs today.',
    });
    expect(held.statusCode, held.body).toBe(201);
    expect(held.json().status).toBe('pending');
    const fine = (
      await post(cy, { rating: 2, title: 'Chipped', body: 'It arrived chipped on the rim, sadly.' })
    ).json();
    expect(fine.status).toBe('published');
    expect((await publicList()).items.map((r: { id: string }) => r.id)).not.toContain(held.json().id);

    const queue = await call('GET', '/admin/reviews?status=pending', admin);
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().items.map((r: { id: string }) => r.id)).toContain(held.json().id);
    expect((await call('GET', '/admin/reviews?status=pending', bo.headers)).statusCode).toBe(403);

    const approved = await call('POST', `/admin/reviews/${held.json().id}/approve`, admin);
    expect(approved.json().status).toBe('published');
    expect((await call('POST', `/admin/reviews/${held.json().id}/approve`, admin)).statusCode).toBe(409);
    expect((await call('POST', `/admin/reviews/${fine.id}/reject`, admin, {})).statusCode).toBe(400);
    const rejected = await call('POST', `/admin/reviews/${fine.id}/reject`, admin, { reason: 'Off topic' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', moderationReason: 'Off topic' });

    // Published now: the first test's 5 and the approved 3.
    const list = await publicList();
    expect(list.summary).toEqual({
      count: 2,
      average: { numerator: 4, denominator: 1 },
      histogram: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 },
    });
    expect(list.items).toHaveLength(2);
    await waitFor(
      async () =>
        JSON.stringify(await catalogRating()) === JSON.stringify({ count: 2, average: list.summary.average }),
      'catalog equals the recount',
    );
  });

  it('the catalog summary stays the same when the review events arrive again (G4)', async () => {
    const stored = await rows<{ envelope: EventEnvelope | string }>('SELECT envelope FROM review.outbox');
    const events = stored.map((r) => (typeof r.envelope === 'string' ? JSON.parse(r.envelope) : r.envelope));
    const reviewEvents = events.filter((e: EventEnvelope) => e.type.startsWith('review.review.'));
    expect(reviewEvents.length).toBeGreaterThanOrEqual(4);
    const before = await catalogRating();
    await deliver(p, 'catalog', [...reviewEvents, ...republished(reviewEvents)]);
    expect(await catalogRating()).toEqual(before);
  });

  it('a customer withdraws only their own review (G9); erasure keeps the review and drops its author (G10)', async () => {
    const dee = await shopper();
    const eve = await shopper();
    await deliver(p, 'review', [delivered(dee)]);
    const mine = (
      await post(dee, { rating: 4, title: 'Good', body: 'Solid mug, good handle, fair price.' })
    ).json();
    expect((await call('DELETE', `/reviews/${mine.id}`, eve.headers)).statusCode).toBe(404);
    expect((await publicList()).items.map((r: { id: string }) => r.id)).toContain(mine.id);

    const erased = buildEnvelope('customer.deleted', dee.id, {
      customerId: dee.id,
      principalId: dee.id,
      occurredAt: new Date().toISOString(),
    });
    await deliver(p, 'review', [erased, erased]);
    const shown = (await publicList()).items.find((r: { id: string }) => r.id === mine.id);
    expect(shown.author).toBe('a customer');
    const [row] = await rows<{ customer_id: string | null }>(
      `SELECT customer_id FROM review.reviews WHERE id = '${mine.id}'`,
    );
    expect(row!.customer_id).toBeNull();
    // Erased, the customer's purchases are gone too: a late delivery adds none back.
    await deliver(p, 'review', [delivered(dee)]);
    const purchases = await rows(`SELECT product_id FROM review.purchases WHERE customer_id = '${dee.id}'`);
    expect(purchases).toEqual([]);
  });
});
