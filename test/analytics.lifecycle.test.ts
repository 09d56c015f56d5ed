import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { createPiiMasker } from '../src/services/analytics/domain/pii.js';
import { ANALYTICS_ENV, analyticsDump, envelope, publish } from './analytics.fixtures.js';
import { type OrderWorld, SERVICES, startOrderWorld } from './order.fixtures.js';

const usd = (amount: string) => ({ amount, currency: 'USD' });

/** The lifecycle of one synthetic order as its services would announce it. */
function lifecycle(orderId: string, customerId: string, base: number): EventEnvelope[] {
  const paymentId = newId();
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const items = [{ sku: 'AN-MUG', quantity: 2, unitPrice: usd('1500') }];
  const statuses = ['pending', 'confirmed', 'processing', 'shipped', 'delivered'] as const;
  const status = statuses.map((newStatus, i) =>
    envelope('orders.order.status_changed', orderId, {
      orderId,
      customerId,
      oldStatus: i === 0 ? null : statuses[i - 1]!,
      newStatus,
      sequence: i + 1,
      total: usd('3000'),
      currency: 'USD',
      items,
      reason: null,
      occurredAt: at(i * 10),
    }),
  );
  const fulfillmentId = newId();
  const warehouseId = newId();
  const fulfillment = (['pending', 'shipped'] as const).map((newStatus, i) =>
    envelope('fulfillments.fulfillment.status_changed', orderId, {
      fulfillmentId,
      orderId,
      warehouseId,
      oldStatus: i === 0 ? null : 'ready_to_ship',
      newStatus,
      items: [{ sku: 'AN-MUG', quantity: 2 }],
      allReachedStatus: true,
      occurredAt: at(10 + i * 20),
    }),
  );
  return [
    ...status,
    ...fulfillment,
    envelope('payments.payment.confirmed', orderId, {
      orderId,
      paymentId,
      amount: usd('3000'),
      method: 'card',
      occurredAt: at(10),
    }),
    envelope('payments.refund.completed', orderId, {
      orderId,
      paymentId,
      refundId: newId(),
      returnId: null,
      amount: usd('700'),
      fullyRefunded: false,
      occurredAt: at(45),
    }),
  ];
}

const shuffle = <T>(list: T[]): T[] => {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('analytics from the bus', () => {
  let world: OrderWorld;
  const db = () => world.schema('analytics');
  const eventsOf = async (orderId: string) =>
    Number(
      (
        await db()
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('order_id', '=', orderId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const facts = (orderId: string) =>
    db()
      .selectFrom('order_facts')
      .select(['sequence', 'status', 'customer_key', 'currency', 'items', 'placed_at', 'status_at'])
      .select(sql<string>`total_amount::text`.as('total'))
      .where('order_id', '=', orderId)
      .executeTakeFirst();

  beforeAll(async () => {
    world = await startOrderWorld('pglite', ANALYTICS_ENV, [...SERVICES, 'analytics']);
  });
  afterAll(() => world?.close());

  it('ingests a real order: full envelope stored, facts and revenue from its events', async () => {
    await world.product('AN-REAL', '2500', 10);
    const order = await world.confirmedOrder([['AN-REAL', 2]]);
    await waitFor(
      async () => (await facts(order.id))?.status === 'confirmed',
      'order facts confirmed',
      10_000,
    );
    await waitFor(
      async () =>
        (await db().selectFrom('payment_facts').select('id').where('order_id', '=', order.id).execute())
          .length >= 2,
      'authorized and captured',
      10_000,
    );
    const rows = await db()
      .selectFrom('events')
      .selectAll()
      .where('order_id', '=', order.id)
      .where('topic', '=', 'orders.order.status_changed')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.source).toBe('order');
      expect(r.schema_version).toBe('1');
      expect(r.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(r.subject).toBe(order.id);
      expect(JSON.stringify(r.data)).not.toContain('customerId');
    }
    const revenue = await world.ok(world.adminCall('GET', '/analytics/revenue'));
    expect(revenue.byCurrency).toEqual([
      expect.objectContaining({ currency: 'USD', net: usd('5000'), capturedPayments: 1 }),
    ]);

    // Delivered three times (the broker's at-least-once): counted once.
    const outbox = await world
      .schema('order')
      .selectFrom('outbox')
      .select('envelope')
      .where('key', '=', order.id)
      .execute();
    const before = await eventsOf(order.id);
    const envelopes = outbox.map((r: { envelope: EventEnvelope }) => r.envelope);
    for (let i = 0; i < 3; i++) await publish(world.platform, envelopes);
    await waitFor(
      async () =>
        Number(
          (
            await db()
              .selectFrom('processed_events' as never)
              .select((eb) => eb.fn.countAll().as('n'))
              .execute()
          )[0]?.n,
        ) > 0,
      'inbox',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventsOf(order.id)).toBe(before);
    const again = await world.ok(world.adminCall('GET', '/analytics/revenue'));
    expect(again.byCurrency).toEqual(revenue.byCurrency);
  });

  it('reconciles its money figures with the payment service and flags a difference (Fix 14)', async () => {
    const run = async () =>
      expect(
        await world.platform.orderline.eventing.scheduler('analytics')!.runNow('reconciliation'),
      ).toMatchObject({
        ran: true,
        status: 'succeeded',
      });
    const today = new Date().toISOString().slice(0, 10);
    const results = () =>
      world
        .schema('analytics')
        .selectFrom('reconciliation_results')
        .select([
          'check_name',
          'dimension',
          sql<string>`expected::text`.as('expected'),
          sql<string>`actual::text`.as('actual'),
          'ok',
        ])
        .where('day', '=', today)
        .where('check_name', 'like', 'payments_%')
        .orderBy('check_name')
        .execute();
    await run();
    const first = await results();
    expect(first.map((r) => r.check_name)).toEqual(['payments_captured', 'payments_refunded']);
    expect(first.every((r) => r.ok && r.expected === r.actual)).toBe(true);
    // A capture the payment service does not know about: reported, and the gauge counts it.
    const orderId = newId();
    await publish(world.platform, [
      envelope('payments.payment.confirmed', orderId, {
        orderId,
        paymentId: newId(),
        amount: usd('999'),
        method: 'card',
        occurredAt: new Date().toISOString(),
      }),
    ]);
    await waitFor(async () => (await eventsOf(orderId)) === 1, 'stray capture stored');
    await run();
    const captured = (await results()).find((r) => r.check_name === 'payments_captured')!;
    expect(captured.ok).toBe(false);
    expect(BigInt(captured.actual) - BigInt(captured.expected)).toBe(999n);
    const metrics = await world.platform.orderline.metrics.registry.metrics();
    expect(metrics).toMatch(/orderline_analytics_reconciliation_failures 1/);
  });

  it('shuffled and duplicated lifecycle events give the same facts as the events in order (G4, G6)', async () => {
    const customer = newId();
    const base = Date.parse('2026-03-10T08:00:00.000Z');
    const inOrder = newId();
    const shuffled = newId();
    for (const e of lifecycle(inOrder, customer, base)) await publish(world.platform, [e]);
    const events = lifecycle(shuffled, newId(), base);
    await publish(world.platform, shuffle([...events, ...events, ...events]));
    await waitFor(
      async () => (await eventsOf(inOrder)) === 9 && (await eventsOf(shuffled)) === 9,
      'both lifecycles stored once',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    const a = await facts(inOrder);
    const b = await facts(shuffled);
    expect(a).toMatchObject({ sequence: 5, status: 'delivered', total: '3000' });
    expect({ ...b, customer_key: null }).toEqual({ ...a, customer_key: null });
    expect(new Date(a!.placed_at).toISOString()).toBe(new Date(base).toISOString());
    expect(await eventsOf(shuffled)).toBe(9);

    const window = '?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    const revenue = await world.ok(world.adminCall('GET', `/analytics/revenue${window}`));
    // Σ captured − refunded of both orders, exact in minor units.
    expect(revenue.byCurrency).toEqual([
      {
        currency: 'USD',
        captured: usd('6000'),
        refunded: usd('1400'),
        net: usd('4600'),
        capturedPayments: 2,
      },
    ]);
    const orders = await world.ok(world.adminCall('GET', `/analytics/orders${window}`));
    expect(orders.byStatus).toEqual([{ status: 'delivered', orders: 2 }]);
    expect(orders.fulfillment).toEqual({ shipped: 2, averageSecondsToShip: 20 * 60 });
    const products = await world.ok(world.adminCall('GET', `/analytics/products/performance${window}`));
    expect(products.products).toEqual([
      { sku: 'AN-MUG', category: null, orders: 2, units: 4, revenue: usd('6000') },
    ]);
    const customers = await world.ok(world.adminCall('GET', `/analytics/customers/summary${window}`));
    expect(customers).toMatchObject({ newCustomers: 2, returningCustomers: 0 });
  });

  it('customer.deleted makes the customer unlinkable while the counts stay (G10)', async () => {
    const customerId = newId();
    const principalId = newId();
    const key = createPiiMasker(ANALYTICS_ENV.ANALYTICS_PII_HASH_KEY!).customerKey(customerId)!;
    const orderId = newId();
    const placed = lifecycle(orderId, customerId, Date.now())[0]!;
    await publish(world.platform, [
      envelope('customer.created', customerId, {
        customerId,
        principalId,
        locale: null,
        occurredAt: new Date().toISOString(),
      }),
      placed,
    ]);
    await waitFor(async () => (await facts(orderId))?.customer_key === key, 'customer linked');
    await publish(world.platform, [
      envelope('customer.deleted', customerId, {
        customerId,
        principalId,
        occurredAt: new Date().toISOString(),
      }),
    ]);
    await waitFor(async () => (await facts(orderId))?.customer_key !== key, 'customer unlinked');
    const dump = await analyticsDump(world.platform);
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(customerId);
    expect((await facts(orderId))?.customer_key).toMatch(/^x_/);
    const erased = await db().selectFrom('customers').selectAll().where('status', '=', 'deleted').execute();
    expect(erased.length).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters a poison event alone, with its error, and stores nothing of it (Fix 10)', async () => {
    const good = lifecycle(newId(), newId(), Date.now())[0]!;
    const poison = { ...lifecycle(newId(), newId(), Date.now())[0]!, id: newId() };
    poison.data = { ...(poison.data as object), sequence: -3 };
    await publish(world.platform, [poison, good]);
    await waitFor(
      async () => (await eventsOf((good.data as { orderId: string }).orderId)) === 1,
      'good stored',
    );
    await waitFor(
      async () =>
        (
          await db()
            .selectFrom('dead_letters' as never)
            .select(['event_id', 'error'] as never[])
            .where('event_id' as never, '=', poison.id as never)
            .execute()
        ).length === 1,
      'poison dead-lettered',
    );
    const [letter] = (await db()
      .selectFrom('dead_letters' as never)
      .select(['error', 'subscription'] as never[])
      .where('event_id' as never, '=', poison.id as never)
      .execute()) as { error: string; subscription: string }[];
    expect(letter!.subscription).toBe('analytics.orders-order-status-changed');
    expect(letter!.error).toMatch(/sequence/);
    const stored = await db().selectFrom('events').select('id').where('id', '=', poison.id).execute();
    expect(stored).toEqual([]);
  });

  it('writes a batch of events with a few statements, not one INSERT per event (SG-5)', async () => {
    const envelopes = Array.from({ length: 100 }, () => {
      const orderId = newId();
      return envelope('payments.payment.authorized', orderId, {
        orderId,
        paymentId: newId(),
        amount: usd('100'),
        method: 'card',
        occurredAt: new Date().toISOString(),
      });
    });
    const count = async () =>
      Number(
        (
          await db()
            .selectFrom('events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('topic', '=', 'payments.payment.authorized')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const stats = world.platform.orderline.database.stats;
    const statements = stats.statements;
    await publish(world.platform, envelopes);
    await waitFor(async () => (await count()) === before + 100, '100 stored', 10_000);
    // Counting reads too: far fewer round trips than events.
    expect(stats.statements - statements).toBeLessThan(50);
  });
});
