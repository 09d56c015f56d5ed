import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/platform/clock.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { eventingMetrics } from '../src/platform/eventing/eventing.metrics.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import { Scheduler } from '../src/platform/scheduler/scheduler.js';
import { TEST_DATABASES } from './harness.js';
import {
  card,
  cod,
  type GuestOrder,
  type OrderWorld,
  orderEvents,
  startOrderWorld,
  transfer,
} from './order.fixtures.js';

/**
 * Cancellation (OR-P1-04), the admin and owner reads, COD without auto-confirmation, and one run
 * per tick with two scheduler instances (G7). The order's status event drives the stock release
 * (warehouse) and the void or refund (payment).
 */
describe.each(TEST_DATABASES)('order cancellation and reads on %s', (kind) => {
  let w: OrderWorld;
  const SKU = 'CANCEL-MUG';

  beforeAll(async () => {
    w = await startOrderWorld(kind, {
      ORDER_COD_AUTO_CONFIRM: 'false',
      ORDER_CANCELLATION_WINDOW_MINUTES: '60',
      // The settlement job never fires by itself here: a refund without `w.settle` came from the event.
      PAYMENT_SETTLEMENT_CRON: '0 3 1 1 *',
    });
    await w.product(SKU, '2000', 1000);
  });
  afterAll(() => w?.close());

  const cancelAsOwner = (o: GuestOrder, token = o.token) =>
    w.inject('POST', `/orders/${o.id}/cancel`, { reason: 'changed my mind' }, { 'x-cart-token': token });
  const cancelAsAdmin = (o: GuestOrder) =>
    w.adminCall('POST', `/orders/${o.id}/cancel`, { reason: 'fraud check' });

  it('owner cancels a pending order: stock released, pending payment voided', async () => {
    const before = await w.reserved(SKU);
    const o = await w.checkout([[SKU, 2]], transfer);
    const res = await cancelAsOwner(o);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      cancellation: { by: 'customer', reason: 'changed my mind' },
    });
    await waitFor(async () => (await w.reserved(SKU)) === before, 'stock released');
    await w.settle(o.id);
    await w.waitForOrder(o, 'payment voided', (b) => b.paymentStatus === 'voided');
    // A second cancellation is refused: cancelled is terminal.
    const again = await cancelAsOwner(o);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invalid_transition');
  });

  it('owner cancels a confirmed card order: captured payment refunded at once, from the event', async () => {
    const o = await w.checkout([[SKU, 1]], card());
    await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    expect((await cancelAsOwner(o)).statusCode).toBe(200);
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'released', 'reservation released');
    // No settlement job run: the payment service's consumer kicks the refund right after it.
    await w.waitForOrder(o, 'refunded', (b) => b.paymentStatus === 'refunded');
    const [payment] = (await w.adminCall('GET', `/admin/payments?orderId=${o.id}`)).json().items;
    expect(payment).toMatchObject({ status: 'refunded', refundedAmount: o.body.totals.total });
  });

  it('admin cancels pending and confirmed orders, and processing ones the owner may not', async () => {
    const pending = await w.checkout([[SKU, 1]], card());
    // Confirmed by capture already or still pending: both are cancellable by an admin.
    expect((await cancelAsAdmin(pending)).statusCode).toBe(200);
    const confirmed = await w.checkout([[SKU, 1]], card());
    await w.waitForOrder(confirmed, 'confirmed', (b) => b.status === 'confirmed');
    const res = await cancelAsAdmin(confirmed);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      cancellation: { by: 'admin', reason: 'fraud check' },
    });

    const processing = await w.checkout([[SKU, 1]], card());
    await w.waitForOrder(processing, 'confirmed', (b) => b.status === 'confirmed');
    await w.sql(`UPDATE "order".orders SET status = 'processing' WHERE id = '${processing.id}'`);
    const owner = await cancelAsOwner(processing);
    expect(owner.statusCode).toBe(409);
    expect(owner.json().code).toBe('invalid_transition');
    expect((await cancelAsAdmin(processing)).statusCode).toBe(200);

    const shipped = await w.checkout([[SKU, 1]], transfer);
    await w.sql(`UPDATE "order".orders SET status = 'shipped' WHERE id = '${shipped.id}'`);
    const late = await cancelAsAdmin(shipped);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('invalid_transition');
  });

  it('refuses the owner outside the cancellation window and anyone else with 404', async () => {
    const o = await w.checkout([[SKU, 1]], transfer);
    const other = await w.checkout([[SKU, 1]], transfer);
    expect((await cancelAsOwner(o, other.token)).statusCode).toBe(404);
    expect((await w.inject('POST', `/orders/${o.id}/cancel`, { reason: 'x' })).statusCode).toBe(404);
    await w.sql(
      `UPDATE "order".orders SET created_at = created_at - interval '61 minutes' WHERE id = '${o.id}'`,
    );
    const late = await cancelAsOwner(o);
    expect(late.statusCode).toBe(403);
    expect(late.json().code).toBe('cancellation_window_expired');
    expect((await w.read(o)).status).toBe('pending');
    // An admin is not bound by the window.
    expect((await cancelAsAdmin(o)).statusCode).toBe(200);
    // Bad input is a 400, never stored.
    const bad = await w.inject(
      'POST',
      `/orders/${other.id}/cancel`,
      { reason: 'x', extra: 1 },
      { 'x-cart-token': other.token },
    );
    expect(bad.statusCode).toBe(400);
  });

  it('COD without auto-confirmation: an operator confirms; unconfirmed after 24 h → cancelled', async () => {
    // Its own sku: releases still in flight from earlier tests cannot shift the count.
    const COD_SKU = 'CANCEL-COD';
    await w.product(COD_SKU, '900', 100);
    const kept = await w.checkout([[COD_SKU, 1]], cod);
    const dropped = await w.checkout([[COD_SKU, 3]], cod);
    expect(await w.reserved(COD_SKU)).toBe(4);
    await w.runJob('order', 'cod-confirmation');
    expect((await w.read(kept)).status).toBe('pending');
    const confirmed = await w.adminCall('POST', `/admin/orders/${kept.id}/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().status).toBe('confirmed');
    expect((await w.adminCall('POST', `/admin/orders/${kept.id}/confirm`)).statusCode).toBe(409);

    await w.sql(
      `UPDATE "order".orders SET created_at = created_at - interval '25 hours' WHERE id = '${dropped.id}'`,
    );
    await w.runJob('order', 'cod-confirmation');
    const done = await w.read(dropped);
    expect(done).toMatchObject({
      status: 'cancelled',
      cancellation: { reason: 'cod_confirmation_window_expired' },
    });
    await waitFor(async () => (await w.reserved(COD_SKU)) === 1, 'stock of the expired COD order released');
  });

  it('reads: owner 404 for strangers, /orders needs a customer, admin list with filters and pages', async () => {
    const a = await w.checkout([[SKU, 1]], transfer);
    const b = await w.checkout([[SKU, 1]], transfer);
    expect(
      (await w.inject('GET', `/orders/${a.id}`, undefined, { 'x-cart-token': b.token })).statusCode,
    ).toBe(404);
    expect((await w.inject('GET', '/orders')).statusCode).toBe(401);
    expect((await w.adminCall('GET', '/orders')).statusCode).toBe(403);

    const page1 = await w.adminCall('GET', '/admin/orders?status=pending&limit=1');
    expect(page1.statusCode, page1.body).toBe(200);
    const p1 = page1.json();
    expect(p1.items).toHaveLength(1);
    expect(p1.items[0]).toMatchObject({ id: b.id, status: 'pending', sequence: 1, customerId: null });
    const p2 = (
      await w.adminCall('GET', `/admin/orders?status=pending&limit=1&cursor=${p1.nextCursor}`)
    ).json();
    expect(p2.items[0].id).toBe(a.id);
    const future = (await w.adminCall('GET', '/admin/orders?from=2999-01-01T00:00:00Z')).json();
    expect(future).toEqual({ items: [], nextCursor: null });
    expect((await w.adminCall('GET', '/admin/orders?cursor=nonsense')).statusCode).toBe(400);
    expect((await w.adminCall('GET', '/admin/orders?status=lost')).statusCode).toBe(400);

    const detail = (await w.adminCall('GET', `/admin/orders/${a.id}`)).json();
    expect(detail).toMatchObject({
      id: a.id,
      status: 'pending',
      payments: [expect.objectContaining({ method: 'bank_transfer' })],
    });
    expect((await w.inject('GET', '/admin/orders')).statusCode).toBe(401);
  });

  it('order-cleanup runs once per tick with two scheduler instances (G7)', async () => {
    const orders = [await w.checkout([[SKU, 1]], transfer), await w.checkout([[SKU, 1]], transfer)];
    const ids = orders.map((o) => `'${o.id}'`).join(',');
    await w.sql(
      `UPDATE "order".orders SET payment_due_at = now() - interval '1 minute' WHERE id IN (${ids})`,
    );
    const { orderline } = w.platform;
    const module = orderline.modules.find((m) => m.name === 'order')!;
    const make = () =>
      new Scheduler({
        service: 'order',
        db: orderline.database.forSchema('order'),
        jobs: module.jobs ?? [],
        timezone: 'UTC',
        logger: orderline.logger,
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock: systemClock,
      });
    const [s1, s2] = [make(), make()];
    const tick = new Date(Date.UTC(2031, 0, 1, 0, 15));
    const outcomes = await Promise.all([
      s1.runTick('order-cleanup', tick),
      s2.runTick('order-cleanup', tick),
    ]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ran)).toEqual([{ ran: false, reason: 'claimed_elsewhere' }]);
    for (const o of orders) {
      expect((await w.read(o)).status).toBe('cancelled');
      expect((await orderEvents(w, o.id)).filter((e) => e.newStatus === 'cancelled')).toHaveLength(1);
    }
  });
});
