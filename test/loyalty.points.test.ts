import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { type Customer, customerToken, TEST_ENV, verifiedCustomer } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import {
  deliver,
  refundEvent,
  republished,
  type SyntheticOrder,
  shuffled,
  statusEvent,
} from './lifecycle.fixtures.js';

const PER_TOPIC = {
  'orders.order.status_changed': 1,
  'payments.refund.completed': 1,
  'customer.deleted': 1,
  'customer.created': 1,
};

interface Account {
  balance: number;
  tier: string;
  lifetimePoints: number;
  shortfall: number;
  history: {
    items: { id: string; kind: string; points: number; orderId: string | null; shortfall: number }[];
    nextCursor: string | null;
  };
}

/**
 * Loyalty points through the public API (docs/loyalty.md): account on customer.created, earning on
 * delivery with the tier's multiplier, reversal after cancellation/refund/return once per order,
 * the same points whatever the number and order of deliveries (G4, G6), a balance never below
 * zero (shortfall), admin adjustments with audit and Idempotency-Key, expiry, erasure, and a
 * customer seeing only their own points (G9).
 */
describe.each(TEST_DATABASES)('loyalty points on %s', (kind) => {
  let p: TestPlatform;
  let admin: Record<string, string>;
  beforeAll(async () => {
    p = await startTestPlatform(kind, {
      services: ['user', 'customer', 'notification', 'auth', 'loyalty'],
      env: { ...TEST_ENV, LOYALTY_EXPIRY_CRON: '0 0 1 1 *', LOYALTY_POINTS_EXPIRY_DAYS: '365' },
    });
    admin = bearer((await loginAs(p.app)).accessToken);
  });
  afterAll(() => p?.close());

  const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    p.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const mine = async (c: Customer, query = ''): Promise<Account> => {
    const token = (await customerToken(p.app, c)).accessToken;
    const res = await inject('GET', `/loyalty/me${query}`, bearer(token));
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const accountOf = async (id: string): Promise<Account> => {
    const res = await inject('GET', `/admin/loyalty/accounts/${id}?limit=100`, admin);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const adjust = (id: string, body: object, key?: string) =>
    inject(
      'POST',
      `/admin/loyalty/accounts/${id}/adjustments`,
      { ...admin, ...(key ? { 'idempotency-key': key } : {}) },
      body,
    );
  const opened = async (c: Customer) =>
    waitFor(async () => {
      const { rows } = await p.orderline.database.root
        .withSchema('loyalty')
        .selectFrom('accounts')
        .select('customer_id')
        .where('customer_id', '=', c.id)
        .execute()
        .then((r) => ({ rows: r }));
      return rows.length === 1;
    }, 'loyalty account opened');
  const order = (c: Customer, total: string): SyntheticOrder => ({
    orderId: newId(),
    customerId: c.id,
    total,
  });
  const at = (minutes: number) => new Date(Date.UTC(2030, 4, 1, 12, minutes));

  it('opens an account on customer.created and earns on delivery: whole units × points per unit × tier multiplier', async () => {
    const c = await verifiedCustomer(p.app);
    await opened(c);
    expect(await mine(c)).toMatchObject({
      balance: 0,
      tier: 'bronze',
      lifetimePoints: 0,
      history: { items: [], nextCursor: null },
    });
    const o = order(c, '12345');
    await deliver(p, 'loyalty', [statusEvent(o, 'delivered', at(0))], PER_TOPIC);
    const a = await mine(c);
    expect(a).toMatchObject({ balance: 123, lifetimePoints: 123, tier: 'bronze' });
    expect(a.history.items).toEqual([
      expect.objectContaining({ kind: 'earned', points: 123, orderId: o.orderId }),
    ]);
    // Silver (≥ 1000 lifetime points) earns × 1.25.
    expect((await adjust(c.id, { points: 900, reason: 'welcome gift' })).statusCode).toBe(201);
    expect((await mine(c)).tier).toBe('silver');
    await deliver(p, 'loyalty', [statusEvent(order(c, '10000'), 'delivered', at(1))], PER_TOPIC);
    expect((await mine(c)).balance).toBe(123 + 900 + 125);
    // loyalty.points.changed announced every change through the outbox.
    const events = await p.orderline.database.root
      .withSchema('loyalty')
      .selectFrom('outbox')
      .select('envelope')
      .where('key', '=', c.id)
      .execute();
    expect(
      events.map((e: { envelope: EventEnvelope }) => (e.envelope.data as { kind: string }).kind).sort(),
    ).toEqual(['adjusted', 'earned', 'earned']);
  });

  /** Kept, cancelled after delivery, refunded (status and refund event), returned before delivery was seen. */
  function lifecycle(c: Customer): EventEnvelope[] {
    const kept = order(c, '20000');
    const cancelled = order(c, '30000');
    const refunded = order(c, '15000');
    const returned = order(c, '8000');
    return [
      statusEvent(kept, 'confirmed', at(0)),
      statusEvent(kept, 'delivered', at(1)),
      statusEvent(kept, 'completed', at(2)),
      statusEvent(cancelled, 'delivered', at(3)),
      statusEvent(cancelled, 'cancelled', at(4)),
      statusEvent(refunded, 'delivered', at(5)),
      refundEvent(refunded, '15000', at(6)),
      statusEvent(refunded, 'refunded', at(6)),
      statusEvent(returned, 'delivered', at(7)),
      statusEvent(returned, 'return_requested', at(8)),
      statusEvent(returned, 'returned', at(9)),
      statusEvent({ orderId: newId(), customerId: null, total: '99999' }, 'delivered', at(10)),
    ];
  }

  it('every lifecycle event delivered twice, re-published and shuffled gives the points of one in-order delivery (G4, G6)', async () => {
    const inOrder = await verifiedCustomer(p.app);
    const messy = await verifiedCustomer(p.app);
    await Promise.all([opened(inOrder), opened(messy)]);
    await deliver(p, 'loyalty', lifecycle(inOrder), PER_TOPIC);
    const expected = await accountOf(inOrder.id);
    expect(expected).toMatchObject({ balance: 200, lifetimePoints: 200, tier: 'bronze', shortfall: 0 });

    const events = lifecycle(messy);
    for (const seed of [3, 5]) {
      const all = shuffled([...events, ...events, ...republished(events)], seed);
      await deliver(p, 'loyalty', all, PER_TOPIC);
      expect(await accountOf(messy.id)).toMatchObject({
        balance: expected.balance,
        lifetimePoints: expected.lifetimePoints,
        tier: expected.tier,
        shortfall: 0,
      });
    }
    // One earning and at most one reversal per order.
    const history = (await accountOf(messy.id)).history.items;
    const per = new Map<string, string[]>();
    for (const i of history) per.set(`${i.orderId}`, [...(per.get(`${i.orderId}`) ?? []), i.kind]);
    for (const kinds of per.values())
      expect(kinds.filter((k) => k === 'earned').length).toBeLessThanOrEqual(1);
    for (const kinds of per.values())
      expect(kinds.filter((k) => k === 'reversed').length).toBeLessThanOrEqual(1);
  });

  it('a cancellation after delivery reverses the points once; a reversal the balance cannot cover records the shortfall', async () => {
    const c = await verifiedCustomer(p.app);
    await opened(c);
    const o = order(c, '10000');
    await deliver(p, 'loyalty', [statusEvent(o, 'delivered', at(0))], PER_TOPIC);
    const cancel = statusEvent(o, 'cancelled', at(1));
    await deliver(p, 'loyalty', [cancel, cancel, ...republished([cancel, cancel])], PER_TOPIC);
    const a = await mine(c);
    expect(a).toMatchObject({ balance: 0, lifetimePoints: 0 });
    expect(a.history.items.filter((i) => i.kind === 'reversed')).toEqual([
      expect.objectContaining({ points: -100, orderId: o.orderId, shortfall: 0 }),
    ]);

    // Spend most of an earning, then its order is refunded: the balance stops at zero.
    const spent = order(c, '10000');
    await deliver(p, 'loyalty', [statusEvent(spent, 'delivered', at(2))], PER_TOPIC);
    expect((await adjust(c.id, { points: -80, reason: 'manual redemption at the till' })).statusCode).toBe(
      201,
    );
    await deliver(p, 'loyalty', [statusEvent(spent, 'refunded', at(3))], PER_TOPIC);
    const after = await mine(c);
    expect(after).toMatchObject({ balance: 0, shortfall: 80 });
    expect(after.history.items[0]).toMatchObject({ kind: 'reversed', points: -20, shortfall: 80 });
  });

  it('admin adjustments: validated, audited with the actor, never below zero, applied once per Idempotency-Key', async () => {
    const c = await verifiedCustomer(p.app);
    await opened(c);
    for (const body of [
      { points: 0, reason: 'nothing' },
      { points: 1.5, reason: 'half' },
      { points: 10 },
      { points: 10, reason: '' },
      { points: 10, reason: 'a\u0000b' },
      { points: 10_000_000_000, reason: 'too many' },
    ]) {
      const res = await adjust(c.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
    expect((await adjust(newId(), { points: 5, reason: 'ghost' })).statusCode).toBe(404);
    expect((await adjust('not-an-id', { points: 5, reason: 'ghost' })).statusCode).toBe(404);
    const debit = await adjust(c.id, { points: -1, reason: 'too much' });
    expect(debit.statusCode).toBe(409);
    expect(debit.json().code).toBe('insufficient_points');
    expect((await adjust(c.id, { points: 5, reason: 'x' }, 'bad key with spaces')).statusCode).toBe(400);

    const key = newId();
    const results = await Promise.all(
      [1, 2, 3].map(() => adjust(c.id, { points: 50, reason: 'service recovery' }, key)),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(results[0]!.json().actor).toMatch(/^admin:/);
    expect((await mine(c)).balance).toBe(50);
    const reused = await adjust(c.id, { points: 60, reason: 'service recovery' }, key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
  });

  it('a customer sees only their own points, pages their history with a cursor, and cannot use the admin routes (G9)', async () => {
    const c = await verifiedCustomer(p.app);
    const other = await verifiedCustomer(p.app);
    await Promise.all([opened(c), opened(other)]);
    for (let i = 0; i < 5; i++)
      expect((await adjust(c.id, { points: 10 + i, reason: `gift ${i}` })).statusCode).toBe(201);
    expect((await adjust(other.id, { points: 7, reason: 'other' })).statusCode).toBe(201);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Account = await mine(c, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.history.items.map((i) => i.points));
      cursor = page.history.nextCursor;
    } while (cursor);
    expect(seen).toEqual([14, 13, 12, 11, 10]);
    expect((await mine(other)).balance).toBe(7);
    const token = (await customerToken(p.app, c)).accessToken;
    expect((await inject('GET', `/admin/loyalty/accounts/${other.id}`, bearer(token))).statusCode).toBe(403);
    expect((await inject('GET', '/loyalty/me', {})).statusCode).toBe(401);
    expect((await inject('GET', '/loyalty/me', admin)).statusCode).toBe(403);
    expect((await inject('GET', '/loyalty/me?cursor=forged', bearer(token))).statusCode).toBe(400);
    expect((await inject('GET', '/loyalty/me?limit=1000', bearer(token))).statusCode).toBe(400);
  });

  it('expires the balance after the configured days without earning, and erases everything on customer.deleted', async () => {
    const c = await verifiedCustomer(p.app);
    await opened(c);
    await deliver(p, 'loyalty', [statusEvent(order(c, '5000'), 'delivered', at(0))], PER_TOPIC);
    const fresh = await verifiedCustomer(p.app);
    await opened(fresh);
    await deliver(p, 'loyalty', [statusEvent(order(fresh, '5000'), 'delivered', at(0))], PER_TOPIC);
    await p.orderline.database.root
      .withSchema('loyalty')
      .updateTable('accounts')
      .set({ last_earned_at: new Date(Date.now() - 366 * 86_400_000) })
      .where('customer_id', '=', c.id)
      .execute();
    const outcome = await p.orderline.eventing.scheduler('loyalty')!.runNow('points-expiry');
    expect(outcome).toMatchObject({ ran: true, status: 'succeeded' });
    expect((await mine(c)).history.items[0]).toMatchObject({ kind: 'expired', points: -50 });
    expect((await mine(c)).balance).toBe(0);
    expect((await mine(fresh)).balance).toBe(50);

    const erase = buildEnvelope('customer.deleted', fresh.id, {
      customerId: fresh.id,
      principalId: fresh.id,
      occurredAt: new Date().toISOString(),
    });
    await deliver(p, 'loyalty', [erase, erase], PER_TOPIC);
    expect(await accountOf(fresh.id)).toMatchObject({
      balance: 0,
      lifetimePoints: 0,
      history: { items: [] },
    });
    // A late order event never re-opens an erased account.
    await deliver(p, 'loyalty', [statusEvent(order(fresh, '9000'), 'delivered', at(5))], PER_TOPIC);
    expect(await accountOf(fresh.id)).toMatchObject({ balance: 0, history: { items: [] } });
    expect((await adjust(fresh.id, { points: 5, reason: 'after erasure' })).statusCode).toBe(404);
  });
});
