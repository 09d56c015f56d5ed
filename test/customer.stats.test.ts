import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { transaction } from '../src/platform/eventing/index.js';
import { newId } from '../src/platform/ids.js';
import { transitionOrder } from '../src/services/order/app/order-transition.js';
import { orderRepository } from '../src/services/order/data/order.repository.js';
import type { OrderDB } from '../src/services/order/data/tables.js';
import { ADDRESS } from './checkout.fakes.js';
import { customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, TEST_DATABASES } from './harness.js';
import {
  deliver,
  refundEvent,
  republished,
  returnCompletedEvent,
  type SyntheticOrder,
  shuffled,
  statusEvent,
} from './lifecycle.fixtures.js';
import { card, type OrderWorld, SERVICES, startOrderWorld } from './order.fixtures.js';

const PER_TOPIC = {
  'orders.order.status_changed': 1,
  'payments.refund.completed': 1,
  'orders.return.completed': 1,
};
const HOUR = 3_600_000;

interface Stats {
  totalOrders: number;
  totalSpent: { amount: string; currency: string }[];
  lastOrderAt: string | null;
  returns: number;
}

/**
 * Customer order statistics (spec: customer; C11, C12, C14, C-W1) through the public admin API:
 * from the lifecycle and refund events, idempotent per (order, kind) whatever the number and order
 * of deliveries (G4, G6), and the hourly reconciliation against the real order service.
 */
describe.each(TEST_DATABASES)('customer statistics on %s', (kind) => {
  let w: OrderWorld;
  beforeAll(async () => {
    w = await startOrderWorld(kind, { CUSTOMER_STATS_SETTLE_MINUTES: '0' }, [
      ...SERVICES,
      'customer',
      'notification',
    ]);
    await w.product('STAT-MUG', '2500', 1000);
  });
  afterAll(() => w?.close());

  const stats = async (customerId: string): Promise<Stats> =>
    (await w.ok(w.adminCall('GET', `/admin/customers/${customerId}`))).stats;

  /** Delivered, partially returned with a refund; delivered then cancelled; delivered then refunded. */
  function lifecycle(customerId: string): EventEnvelope[] {
    const t0 = new Date('2030-03-01T10:00:00Z');
    const at = (h: number) => new Date(t0.getTime() + h * HOUR);
    const kept: SyntheticOrder = { orderId: newId(), customerId, total: '5000' };
    const cancelled: SyntheticOrder = { orderId: newId(), customerId, total: '7000' };
    const refunded: SyntheticOrder = { orderId: newId(), customerId, total: '3000' };
    const returnId = newId();
    return [
      statusEvent(kept, 'confirmed', at(0)),
      statusEvent(kept, 'delivered', at(1)),
      statusEvent(kept, 'return_requested', at(2)),
      refundEvent(kept, '2000', at(3), returnId),
      returnCompletedEvent(kept, '2000', at(3), returnId),
      statusEvent(kept, 'partially_returned', at(3)),
      statusEvent(cancelled, 'delivered', at(4)),
      statusEvent(cancelled, 'cancelled', at(5)),
      statusEvent(refunded, 'delivered', at(6)),
      refundEvent(refunded, '3000', at(7)),
      statusEvent(refunded, 'refunded', at(7)),
      // A guest order changes nobody's statistics.
      statusEvent({ orderId: newId(), customerId: null, total: '9999' }, 'delivered', at(8)),
    ];
  }
  const EXPECTED: Stats = {
    totalOrders: 1,
    totalSpent: [{ amount: '3000', currency: 'USD' }],
    lastOrderAt: '2030-03-01T16:00:00.000Z',
    returns: 1,
  };

  it('every lifecycle event delivered twice, re-published and shuffled gives the stats of one in-order delivery (G4, G6)', async () => {
    const once = await verifiedCustomer(w.platform.app);
    const messy = await verifiedCustomer(w.platform.app);
    await deliver(w.platform, 'customer', lifecycle(once.id), PER_TOPIC);
    expect(await stats(once.id)).toMatchObject(EXPECTED);

    const events = lifecycle(messy.id);
    const all = shuffled([...events, ...events, ...republished(events), ...republished(events)], 11);
    await deliver(w.platform, 'customer', all, PER_TOPIC);
    expect(await stats(messy.id)).toMatchObject(EXPECTED);
    // Reverse order as well.
    await deliver(w.platform, 'customer', republished(events).reverse(), PER_TOPIC);
    expect(await stats(messy.id)).toMatchObject(EXPECTED);
  });

  it('an unknown customer is 404, a customer without orders has zero statistics', async () => {
    const res = await w.adminCall('GET', `/admin/customers/${newId()}`);
    expect(res.statusCode).toBe(404);
    const c = await verifiedCustomer(w.platform.app);
    expect(await stats(c.id)).toEqual({
      totalOrders: 0,
      totalSpent: [],
      lastOrderAt: null,
      returns: 0,
      reconciledAt: null,
    });
  });

  it('the hourly reconciliation corrects drift against the order service and counts it in a metric (C-W1)', async () => {
    const c = await verifiedCustomer(w.platform.app);
    const auth = bearer((await customerToken(w.platform.app, c)).accessToken);
    const orderDb = () => w.schema('order') as unknown as Kysely<OrderDB>;
    const place = async () => {
      const cart = await w.ok(w.inject('POST', '/carts', { currency: 'USD' }, auth));
      await w.ok(w.inject('POST', `/carts/${cart.id}/items`, { sku: 'STAT-MUG', quantity: 1 }, auth));
      await w.ok(w.inject('PUT', `/carts/${cart.id}/shipping-address`, ADDRESS, auth));
      const options = await w.ok(w.inject('GET', `/carts/${cart.id}/shipping-options`, undefined, auth));
      await w.ok(
        w.inject('PUT', `/carts/${cart.id}/shipping-method`, { optionId: options.items[0].id }, auth),
      );
      const order = await w.ok(
        w.inject(
          'POST',
          '/checkout',
          { cartId: cart.id, payment: card() },
          { ...auth, 'idempotency-key': newId() },
        ),
      );
      await waitFor(
        async () =>
          (await w.ok(w.inject('GET', `/orders/${order.id}`, undefined, auth))).status === 'confirmed',
        'order confirmed',
        10_000,
      );
      return { id: order.id as string, total: order.totals.total.amount as string };
    };
    const first = await place();
    const second = await place();

    // The first order is delivered through the order service: its event reaches the statistics.
    await transaction(orderDb(), async (tx) => {
      let row = (await orderRepository.findOrder(tx, first.id))!;
      for (const to of ['processing', 'shipped', 'delivered'] as const)
        row = (await transitionOrder(
          tx,
          row,
          { to, reason: 'test_setup', set: to === 'delivered' ? { delivered_at: new Date() } : {} },
          new Date(),
        ))!;
    });
    await waitFor(async () => (await stats(c.id)).totalOrders === 1, 'first order counted', 10_000);
    expect((await stats(c.id)).totalSpent).toEqual([{ amount: first.total, currency: 'USD' }]);

    // The second one's delivered event is lost (written without its outbox row): drift.
    const deliveredAt = new Date(Date.now() + 1000);
    await w.sql(
      `UPDATE "order".orders SET status = 'delivered', delivered_at = '${deliveredAt.toISOString()}', sequence = sequence + 1 WHERE id = '${second.id}'`,
    );
    const corrections = async (field: string) => {
      const metric = await w.platform.orderline.metrics.registry
        .getSingleMetric('orderline_customer_stats_corrections_total')!
        .get();
      return metric.values.find((v) => v.labels.field === field)?.value ?? 0;
    };
    const before = await corrections('orders');
    const outcome = await w.platform.orderline.eventing.scheduler('customer')!.runNow('stats-reconciliation');
    expect(outcome).toMatchObject({ ran: true, status: 'succeeded' });
    expect(outcome.ran && outcome.items).toBeGreaterThanOrEqual(1);
    const fixed = await stats(c.id);
    expect(fixed).toMatchObject({
      totalOrders: 2,
      totalSpent: [{ amount: String(BigInt(first.total) + BigInt(second.total)), currency: 'USD' }],
      lastOrderAt: deliveredAt.toISOString(),
      reconciledAt: expect.any(String),
    });
    // (The synthetic customers of the first test have no orders at the order service: corrected too.)
    const after = await corrections('orders');
    expect(after).toBeGreaterThanOrEqual(before + 1);
    expect(await corrections('spent')).toBeGreaterThanOrEqual(1);

    // Nothing left to correct: a second run changes nothing and counts nothing for this customer.
    const again = await w.platform.orderline.eventing.scheduler('customer')!.runNow('stats-reconciliation');
    expect(again).toMatchObject({ ran: true, status: 'succeeded', items: 0 });
    expect(await corrections('orders')).toBe(after);
    expect(await stats(c.id)).toEqual(fixed);

    // Later events apply on top of the correction: a refund of the first order lowers the spend.
    await deliver(
      w.platform,
      'customer',
      [refundEvent({ orderId: first.id, customerId: c.id, total: first.total }, '500', new Date())],
      PER_TOPIC,
    );
    expect((await stats(c.id)).totalSpent).toEqual([
      { amount: String(BigInt(first.total) + BigInt(second.total) - 500n), currency: 'USD' },
    ]);
  });
});
