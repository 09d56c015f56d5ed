import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { TEST_DATABASES } from './harness.js';
import { card, cod, type OrderWorld, orderEvents, startOrderWorld, transfer } from './order.fixtures.js';

/**
 * The order lifecycle through HTTP and events with every real service (docs/order-lifecycle.md):
 * card capture → confirmed, capture refused → void and cancel, COD and bank transfer to confirmed
 * and to cancelled on expiry, reservation expiry → cancelled (G2, G5, G6).
 */
describe.each(TEST_DATABASES)('order lifecycle on %s', (kind) => {
  let w: OrderWorld;
  const SKU = 'LIFE-MUG';

  beforeAll(async () => {
    w = await startOrderWorld(kind);
    await w.product(SKU, '1500', 1000);
  });
  afterAll(() => w?.close());

  it('card: checkout → capture of the stored total → confirmed, reservation confirmed', async () => {
    const o = await w.checkout([[SKU, 2]], card());
    expect(o.body).toMatchObject({ status: 'pending', paymentStatus: 'authorized' });
    const done = await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    expect(done.paymentStatus).toBe('captured');
    const payments = (await w.adminCall('GET', `/admin/payments?orderId=${o.id}`)).json().items;
    // G2: captured exactly the order's stored total.
    expect(payments).toEqual([
      expect.objectContaining({ status: 'captured', capturedAmount: o.body.totals.total }),
    ]);
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'confirmed', 'reservation confirmed');
    expect(await orderEvents(w, o.id)).toEqual([
      expect.objectContaining({ topic: 'orders.order.status_changed', newStatus: 'pending', sequence: 1 }),
      expect.objectContaining({ topic: 'orders.payment.capture_requested' }),
      expect.objectContaining({ topic: 'orders.order.status_changed', newStatus: 'confirmed', sequence: 2 }),
    ]);
  });

  it('capture refused (tok_capture_fails) → voided authorization, cancelled, stock released', async () => {
    // Its own sku: releases in flight from earlier tests cannot shift the count.
    const OWN = 'LIFE-OWN-1';
    await w.product(OWN, '1500', 100);
    const before = await w.reserved(OWN);
    const o = await w.checkout([[OWN, 3]], card('tok_capture_fails'));
    // The runner cancels, payments.payment.failed records the payment status: either may land first.
    const done = await w.waitForOrder(
      o,
      'cancelled, payment failed',
      (b) => b.status === 'cancelled' && b.paymentStatus === 'failed',
    );
    expect(done.cancellation).toMatchObject({ by: 'system', reason: 'capture_failed' });
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'released', 'reservation released');
    expect(await w.reserved(OWN)).toBe(before);
    const [payment] = (await w.adminCall('GET', `/admin/payments?orderId=${o.id}`)).json().items;
    expect(payment).toMatchObject({ status: 'failed', capturedAmount: { amount: '0' } });
    const admin = (await w.adminCall('GET', `/admin/orders/${o.id}`)).json();
    expect(admin.capture).toMatchObject({ state: 'failed', attempts: 1 });
    const events = await orderEvents(w, o.id);
    expect(events.filter((e) => e.newStatus === 'cancelled')).toEqual([
      expect.objectContaining({ sequence: 2, reason: 'capture_failed' }),
    ]);
  });

  it('COD: auto-confirmed by the cod-confirmation job, then cash collected → captured', async () => {
    const o = await w.checkout([[SKU, 1]], cod);
    expect(o.body).toMatchObject({ status: 'pending', paymentStatus: 'pending' });
    await w.runJob('order', 'cod-confirmation');
    const confirmed = await w.read(o);
    expect(confirmed).toMatchObject({ status: 'confirmed', paymentStatus: 'pending' });
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'confirmed', 'reservation confirmed');
    const paid = await w.adminCall('POST', `/admin/payments/${o.body.payment.id}/mark-received`);
    expect(paid.statusCode, paid.body).toBe(200);
    await w.waitForOrder(
      o,
      'COD collected',
      (b) => b.paymentStatus === 'captured' && b.status === 'confirmed',
    );
    // Idempotent: marking again answers the same payment and changes nothing.
    expect((await w.adminCall('POST', `/admin/payments/${o.body.payment.id}/mark-received`)).statusCode).toBe(
      200,
    );
  });

  it('bank transfer: funds received → confirmed; a card payment cannot be marked received', async () => {
    const o = await w.checkout([[SKU, 1]], transfer);
    expect(o.body).toMatchObject({ status: 'pending', paymentStatus: 'pending' });
    expect((await w.adminCall('POST', `/admin/payments/${o.body.payment.id}/mark-received`)).statusCode).toBe(
      200,
    );
    const done = await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    expect(done.paymentStatus).toBe('captured');
    const c = await w.checkout([[SKU, 1]], card());
    const refused = await w.adminCall('POST', `/admin/payments/${c.body.payment.id}/mark-received`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('invalid_transition');
  });

  it('bank transfer not paid in time → payment expired → order cancelled and stock released', async () => {
    // Its own sku: releases in flight from earlier tests cannot shift the count.
    const OWN = 'LIFE-OWN-2';
    await w.product(OWN, '1500', 100);
    const before = await w.reserved(OWN);
    const o = await w.checkout([[OWN, 4]], transfer);
    expect(await w.reserved(OWN)).toBe(before + 4);
    await w.sql(
      `UPDATE payment.payments SET created_at = created_at - interval '80 hours' WHERE order_id = '${o.id}'`,
    );
    await w.runJob('payment', 'bank-transfer-expiry');
    const done = await w.waitForOrder(o, 'cancelled', (b) => b.status === 'cancelled');
    expect(done).toMatchObject({ paymentStatus: 'failed', cancellation: { reason: 'payment_failed' } });
    await waitFor(async () => (await w.reserved(OWN)) === before, 'stock released');
  });

  it('reservation expiry cancels a pending order and publishes the change', async () => {
    // Its own sku: releases in flight from earlier tests cannot shift the count.
    const OWN = 'LIFE-OWN-3';
    await w.product(OWN, '1500', 100);
    const before = await w.reserved(OWN);
    const o = await w.checkout([[OWN, 2]], transfer);
    await w.sql(
      `UPDATE warehouse.reservations SET expires_at = now() - interval '1 minute' WHERE order_id = '${o.id}'`,
    );
    await w.runJob('warehouse', 'reservation-expiry');
    const done = await w.waitForOrder(o, 'cancelled', (b) => b.status === 'cancelled');
    expect(done.cancellation).toMatchObject({ by: 'system', reason: 'reservation_expired' });
    expect(await w.reserved(OWN)).toBe(before);
    expect((await orderEvents(w, o.id)).at(-1)).toMatchObject({
      topic: 'orders.order.status_changed',
      newStatus: 'cancelled',
      sequence: 2,
      reason: 'reservation_expired',
    });
    // The pending transfer is released too once the payment service settles the cancellation.
    await w.settle(o.id);
    await w.waitForOrder(o, 'payment voided', (b) => b.paymentStatus === 'voided');
  });

  it('order-cleanup cancels card orders past their payment window; cart-cleanup abandons old carts', async () => {
    const o = await w.checkout([[SKU, 1]], transfer);
    await w.sql(
      `UPDATE "order".orders SET payment_due_at = now() - interval '1 minute' WHERE id = '${o.id}'`,
    );
    await w.runJob('order', 'order-cleanup');
    expect(await w.read(o)).toMatchObject({
      status: 'cancelled',
      cancellation: { reason: 'payment_window_expired' },
    });

    const cart = (await w.inject('POST', '/carts', { currency: 'USD' })).json();
    await w.sql(`UPDATE "order".carts SET updated_at = now() - interval '31 days' WHERE id = '${cart.id}'`);
    await w.runJob('order', 'cart-cleanup');
    const read = await w.inject('GET', `/carts/${cart.id}`, undefined, { 'x-cart-token': cart.cartToken });
    expect(read.json().status).toBe('abandoned');
  });

  it('reservation-cleanup releases what a cancelled order still holds', async () => {
    // Its own sku: releases in flight from earlier tests cannot shift the count.
    const OWN = 'LIFE-OWN-4';
    await w.product(OWN, '1500', 100);
    const before = await w.reserved(OWN);
    const o = await w.checkout([[OWN, 2]], transfer);
    // Simulate a release that never happened: the order is cancelled but the warehouse holds stock.
    await w.sql(
      `UPDATE "order".orders SET status = 'cancelled', cancelled_at = now() - interval '1 hour', cancelled_by = 'system', cancel_reason = 'test' WHERE id = '${o.id}'`,
    );
    expect(await w.reserved(OWN)).toBe(before + 2);
    await w.runJob('order', 'reservation-cleanup');
    expect(await w.reserved(OWN)).toBe(before);
    const admin = (await w.adminCall('GET', `/admin/orders/${o.id}`)).json();
    expect(admin.reservationReleasedAt).not.toBeNull();
  });
});
