import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { systemClock } from '../src/platform/clock.js';
import { systemCtx } from '../src/platform/context.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { transaction } from '../src/platform/eventing/index.js';
import { newId } from '../src/platform/ids.js';
import { money } from '../src/platform/money.js';
import { transitionOrder } from '../src/services/order/app/order-transition.js';
import { type ReturnDeps, returnStepPolicy } from '../src/services/order/app/return-deps.js';
import { runReturnSteps } from '../src/services/order/app/return-steps.js';
import { orderRepository } from '../src/services/order/data/order.repository.js';
import type { OrderDB } from '../src/services/order/data/tables.js';
import { ADDRESS } from './checkout.fakes.js';
import { TEST_DATABASES } from './harness.js';
import { card, cod, type GuestOrder, type OrderWorld, startOrderWorld } from './order.fixtures.js';

interface Totals {
  subtotal: { amount: string };
  shipping: { amount: string };
  total: { amount: string };
}
interface Order {
  id: string;
  status: string;
  paymentStatus: string;
  payment: { id: string };
  totals: Totals;
  items: { id: string; sku: string; quantity: number; unitPrice: { amount: string }; warehouseId: string }[];
}
interface Return {
  id: string;
  orderId: string;
  status: string;
  items: { orderItemId: string; sku: string; quantity: number; warehouseId: string }[];
  refund: { amount: string; currency: string };
  steps: { restock: string | null; refund: string | null };
  stepDetails?: {
    restock: { attempts: number; lastError: string | null };
    refund: { attempts: number; lastError: string | null; refundId: string | null };
    nextAttemptAt: string | null;
  };
}

const NEVER = '0 0 1 1 *';
const MAX_ATTEMPTS = 2;

/**
 * Returns through HTTP and events with every real service (docs/order-lifecycle.md "Returns"):
 * request (owner, window, quantities, one open return), approve / reject / receive, then restock to
 * the warehouse each unit shipped from and the refund as retried compensable steps, completion
 * into returned / partially_returned with the exact refund rule, retries after a failing refund,
 * concurrent runners, and redelivered refund events (G2, G4, G5, G6). Delivery itself is set up
 * with transitionOrder (the delivery path is tested on its own); everything under test goes
 * through HTTP and events.
 */
describe.each(TEST_DATABASES)('order returns on %s', (kind) => {
  let w: OrderWorld;
  let east: string;
  const A = 'RET-A'; // stocked in the west warehouse only
  const B = 'RET-B'; // stocked in the east warehouse only
  const ONE_DAY = 86_400_000;

  const ok = async <T>(res: ReturnType<OrderWorld['inject']>, status = 200): Promise<T> => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(status);
    return r.json<T>();
  };
  const owner = (o: GuestOrder) => ({ 'x-cart-token': o.token });
  const readOrder = (o: GuestOrder) => ok<Order>(w.inject('GET', `/orders/${o.id}`, undefined, owner(o)));
  const readReturn = (o: GuestOrder, id: string) =>
    ok<Return>(w.inject('GET', `/returns/${id}`, undefined, owner(o)));
  const adminReturn = (id: string) => ok<Return>(w.adminCall('GET', `/admin/returns/${id}`));
  const requestReturn = (o: GuestOrder, items: { orderItemId: string; quantity: number }[]) =>
    w.inject('POST', `/orders/${o.id}/returns`, { items, reason: 'does not fit' }, owner(o));
  const onHand = async (sku: string, warehouseId: string) => {
    const inv = await ok<{ items: { warehouseId: string; onHand: number }[] }>(
      w.adminCall('GET', `/admin/inventory/${sku}`),
    );
    return inv.items.find((i) => i.warehouseId === warehouseId)?.onHand ?? 0;
  };
  const orderDb = () => w.schema('order') as unknown as Kysely<OrderDB>;

  /**
   * Test set-up standing in for fulfillment and shipping: the reservation is fulfilled (on hand
   * deducted, as shipping does) and the order walked confirmed → processing → shipped → delivered
   * with its delivery time.
   */
  async function deliver(o: GuestOrder, deliveredAt = new Date()): Promise<Order> {
    await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'confirmed', 'reservation confirmed');
    const order = (await orderRepository.findOrder(orderDb(), o.id))!;
    await w.platform.orderline.clients.warehouse!.fulfil(
      systemCtx(w.platform.orderline.logger),
      order.reservation_id,
    );
    await transaction(orderDb(), async (tx) => {
      let row = order;
      for (const to of ['processing', 'shipped', 'delivered'] as const) {
        const set = to === 'delivered' ? { delivered_at: deliveredAt } : {};
        row = (await transitionOrder(tx, row, { to, reason: 'test_setup', set }, new Date()))!;
      }
    });
    return readOrder(o);
  }

  async function confirmedCod(items: [string, number][]): Promise<GuestOrder> {
    const o = await w.checkout(items, cod);
    await w.runJob('order', 'cod-confirmation');
    return o;
  }

  /**
   * A card checkout like the fixture's, but with the dearest shipping option, so that "shipping is
   * not refunded" shows in the payment.
   */
  async function checkoutWithShipping(items: [string, number][]): Promise<GuestOrder> {
    const { id, cartToken: token } = await ok<{ id: string; cartToken: string }>(
      w.inject('POST', '/carts', { currency: 'USD' }),
      201,
    );
    const h = { 'x-cart-token': token };
    for (const [sku, quantity] of items)
      await ok(w.inject('POST', `/carts/${id}/items`, { sku, quantity }, h));
    await ok(w.inject('PUT', `/carts/${id}/shipping-address`, ADDRESS, h));
    const options = await ok<{ items: { id: string; price: { amount: string } }[] }>(
      w.inject('GET', `/carts/${id}/shipping-options`, undefined, h),
    );
    const dearest = options.items.reduce((a, b) => (BigInt(b.price.amount) > BigInt(a.price.amount) ? b : a));
    expect(BigInt(dearest.price.amount)).toBeGreaterThan(0n);
    await ok(w.inject('PUT', `/carts/${id}/shipping-method`, { optionId: dearest.id }, h));
    const body = await ok<{ id: string }>(
      w.inject('POST', '/checkout', { cartId: id, payment: card() }, { ...h, 'idempotency-key': newId() }),
      201,
    );
    return { id: body.id, token, body: body as GuestOrder['body'] };
  }

  /** Request, approve and receive a return; answers the received return. */
  async function returned(o: GuestOrder, items: { orderItemId: string; quantity: number }[]) {
    const r = await ok<Return>(requestReturn(o, items), 201);
    await ok(w.adminCall('POST', `/admin/returns/${r.id}/approve`));
    return ok<Return>(w.adminCall('POST', `/admin/returns/${r.id}/receive`));
  }

  const completed = (o: GuestOrder, id: string) =>
    waitFor(async () => (await readReturn(o, id)).status === 'completed', `return ${id} completed`);

  const refundable = (t: Totals) => BigInt(t.total.amount) - BigInt(t.shipping.amount);
  /** The refund rule of docs/order-lifecycle.md, written out independently of the code. */
  const share = (t: Totals, value: bigint) => (value * refundable(t)) / BigInt(t.subtotal.amount);

  async function payment(orderId: string) {
    const [p] = (
      await ok<{ items: { status: string; refundedAmount: { amount: string } }[] }>(
        w.adminCall('GET', `/admin/payments?orderId=${orderId}`),
      )
    ).items;
    return p!;
  }

  const returnEvents = async (returnId: string) =>
    (
      await w
        .schema('order')
        .selectFrom('outbox')
        .select(['topic', 'envelope'])
        .where('key', '=', returnId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map((r: { topic: string; envelope: EventEnvelope }) => ({ topic: r.topic, data: r.envelope.data }));

  beforeAll(async () => {
    w = await startOrderWorld(kind, {
      ORDER_RETURN_COMPENSATION_CRON: NEVER,
      ORDER_RETURN_STEP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    });
    // Tax makes each return's share of it matter (the rounding of the refund rule).
    await ok(w.adminCall('PUT', '/admin/tax-rates/US', { rateBps: 825 }));
    await w.product(A, '1000', 1000);
    east = (
      await ok<{ id: string }>(
        w.adminCall('POST', '/admin/warehouses', {
          code: `E${newId().slice(-6)}`,
          name: 'East',
          capacityPerDay: 100_000,
          address: { line1: '1 Pier', city: 'Newark', postalCode: '07102', country: 'US' },
          location: { lat: 40.7, lng: -74.2 },
        }),
        201,
      )
    ).id;
    await ok(
      w.adminCall('POST', '/admin/products', { sku: B, name: B, attributes: { weightGrams: 200 } }),
      201,
    );
    await ok(w.adminCall('PUT', `/admin/prices/${B}`, { amount: '2500', currency: 'USD' }));
    await ok(w.adminCall('PUT', `/admin/inventory/${east}/${B}`, { onHand: 1000 }));
  });
  afterAll(() => w?.close());

  it('full return of a two-warehouse order: restocked where each unit shipped from, refunded, returned', async () => {
    const o = await checkoutWithShipping([
      [A, 2],
      [B, 1],
    ]);
    const order = await deliver(o);
    const lineA = order.items.find((i) => i.sku === A)!;
    const lineB = order.items.find((i) => i.sku === B)!;
    expect([lineA.warehouseId, lineB.warehouseId]).toEqual([w.warehouseId, east]);
    const before = { a: await onHand(A, w.warehouseId), b: await onHand(B, east) };

    const requested = await ok<Return>(
      requestReturn(o, [
        { orderItemId: lineA.id, quantity: 2 },
        { orderItemId: lineB.id, quantity: 1 },
      ]),
      201,
    );
    expect(requested).toMatchObject({
      orderId: o.id,
      status: 'requested',
      steps: { restock: null, refund: null },
      // The return that returns everything refunds everything but shipping, exactly.
      refund: { amount: String(refundable(order.totals)), currency: 'USD' },
    });
    expect((await readOrder(o)).status).toBe('return_requested');

    expect((await ok<Return>(w.adminCall('POST', `/admin/returns/${requested.id}/approve`))).status).toBe(
      'approved',
    );
    const received = await ok<Return>(w.adminCall('POST', `/admin/returns/${requested.id}/receive`));
    expect(received.status).toBe('received');
    await completed(o, requested.id);

    expect(await onHand(A, w.warehouseId)).toBe(before.a + 2);
    expect(await onHand(B, east)).toBe(before.b + 1);
    expect(await onHand(A, east)).toBe(0);
    const done = await w.waitForOrder(
      o,
      'returned, refund recorded',
      (b) => b.status === 'returned' && b.paymentStatus === 'partially_refunded',
    );
    expect(done.status).toBe('returned');
    // Shipping is kept, so the payment is refunded up to its total minus shipping.
    expect((await payment(o.id)).refundedAmount.amount).toBe(String(refundable(order.totals)));
    const view = await adminReturn(requested.id);
    expect(view).toMatchObject({ steps: { restock: 'done', refund: 'done' } });
    expect(view.stepDetails!.refund.refundId).toMatch(/^[0-9a-f-]{36}$/);

    const events = await returnEvents(requested.id);
    expect(events.map((e) => e.topic)).toEqual([
      'orders.return.requested',
      'orders.return.approved',
      'orders.return.completed',
    ]);
    expect(events[2]!.data).toMatchObject({
      returnId: requested.id,
      orderId: o.id,
      refund: { amount: String(refundable(order.totals)), currency: 'USD' },
    });
    expect((events[2]!.data as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([
        { sku: A, quantity: 2, warehouseId: w.warehouseId },
        { sku: B, quantity: 1, warehouseId: east },
      ]),
    );
  });

  it('partial return restocks only its warehouse and refunds its share; the rest refunds exactly what is left', async () => {
    const o = await w.checkout(
      [
        [A, 3],
        [B, 1],
      ],
      card(),
    );
    const order = await deliver(o);
    const lineA = order.items.find((i) => i.sku === A)!;
    const lineB = order.items.find((i) => i.sku === B)!;
    const before = { a: await onHand(A, w.warehouseId), b: await onHand(B, east) };

    const first = await returned(o, [{ orderItemId: lineA.id, quantity: 3 }]);
    const firstRefund = share(order.totals, 3000n);
    expect(first.refund.amount).toBe(String(firstRefund));
    await completed(o, first.id);
    await w.waitForOrder(o, 'partially returned', (b) => b.status === 'partially_returned');
    expect(await onHand(A, w.warehouseId)).toBe(before.a + 3);
    expect(await onHand(B, east)).toBe(before.b);
    await waitFor(
      async () => (await payment(o.id)).refundedAmount.amount === String(firstRefund),
      'first refund',
    );

    const second = await returned(o, [{ orderItemId: lineB.id, quantity: 1 }]);
    const rest = refundable(order.totals) - firstRefund;
    expect(second.refund.amount).toBe(String(rest));
    // Not the rounded-down share: the last return takes the rounding remainder (no dust).
    expect(rest).not.toBe(share(order.totals, 2500n));
    await completed(o, second.id);
    await w.waitForOrder(o, 'returned', (b) => b.status === 'returned');
    expect(await onHand(B, east)).toBe(before.b + 1);
    await waitFor(
      async () => (await payment(o.id)).refundedAmount.amount === String(refundable(order.totals)),
      'everything but shipping refunded',
    );
    // Nothing left to return.
    const again = await requestReturn(o, [{ orderItemId: lineA.id, quantity: 1 }]);
    expect(again.statusCode).toBe(409);
  });

  it('refuses returns outside the window, beyond what was delivered, while one is open, and to others', async () => {
    const late = await w.checkout([[A, 1]], card());
    const lateOrder = await deliver(late, new Date(Date.now() - 31 * ONE_DAY));
    const expired = await requestReturn(late, [{ orderItemId: lateOrder.items[0]!.id, quantity: 1 }]);
    expect(expired.statusCode).toBe(403);
    expect(expired.json().code).toBe('return_window_expired');

    const o = await w.checkout([[A, 2]], card());
    const order = await deliver(o, new Date(Date.now() - 29 * ONE_DAY));
    const line = order.items[0]!;
    const over = await requestReturn(o, [
      { orderItemId: line.id, quantity: 3 },
      { orderItemId: newId(), quantity: 1 },
    ]);
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: 'return_items_invalid',
      errors: [
        { path: 'body.items.0.quantity', message: expect.stringContaining('at most 2') },
        { path: 'body.items.1.orderItemId', message: expect.any(String) },
      ],
    });
    const twice = await requestReturn(o, [
      { orderItemId: line.id, quantity: 1 },
      { orderItemId: line.id, quantity: 1 },
    ]);
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors).toEqual([{ path: 'body.items.1.orderItemId', message: expect.any(String) }]);
    // Refused requests changed nothing.
    expect((await readOrder(o)).status).toBe('delivered');
    expect(await w.sql(`SELECT 1 FROM "order".returns WHERE order_id = '${o.id}'`)).toHaveLength(0);

    // Not the owner: like a missing order (G9), with or without a token, and for the return too.
    const other = await w.checkout([[A, 1]], card());
    const stranger = await w.inject(
      'POST',
      `/orders/${o.id}/returns`,
      { items: [{ orderItemId: line.id, quantity: 1 }] },
      owner(other),
    );
    expect(stranger.statusCode).toBe(404);
    const anonymous = await w.inject('POST', `/orders/${o.id}/returns`, {
      items: [{ orderItemId: line.id, quantity: 1 }],
    });
    expect(anonymous.statusCode).toBe(404);

    const open = await ok<Return>(requestReturn(o, [{ orderItemId: line.id, quantity: 1 }]), 201);
    const second = await requestReturn(o, [{ orderItemId: line.id, quantity: 1 }]);
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('return_in_progress');
    expect((await w.inject('GET', `/returns/${open.id}`, undefined, owner(other))).statusCode).toBe(404);
    expect((await w.inject('GET', `/returns/${open.id}`)).statusCode).toBe(404);

    // An order that was not delivered cannot be returned.
    await w.waitForOrder(other, 'confirmed', (b) => b.status === 'confirmed');
    const otherOrder = await readOrder(other);
    const notDelivered = await requestReturn(other, [{ orderItemId: otherOrder.items[0]!.id, quantity: 1 }]);
    expect(notDelivered.statusCode).toBe(409);
    expect(notDelivered.json().code).toBe('invalid_transition');
  });

  it('reject puts the order back to delivered; admin moves outside the table are 409', async () => {
    const o = await w.checkout([[A, 1]], card());
    const order = await deliver(o);
    const line = order.items[0]!;
    const r = await ok<Return>(requestReturn(o, [{ orderItemId: line.id, quantity: 1 }]), 201);
    const early = await w.adminCall('POST', `/admin/returns/${r.id}/receive`);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('invalid_transition');
    await ok(w.adminCall('POST', `/admin/returns/${r.id}/approve`));
    const rejected = await ok<Return & { rejectReason: string }>(
      w.adminCall('POST', `/admin/returns/${r.id}/reject`, { reason: 'worn' }),
    );
    expect(rejected).toMatchObject({ status: 'rejected', rejectReason: 'worn' });
    expect((await readOrder(o)).status).toBe('delivered');
    expect((await w.adminCall('POST', `/admin/returns/${r.id}/approve`)).statusCode).toBe(409);
    expect((await w.adminCall('POST', `/admin/returns/${newId()}/approve`)).statusCode).toBe(404);
    expect((await returnEvents(r.id)).map((e) => e.topic)).toEqual([
      'orders.return.requested',
      'orders.return.approved',
      'orders.return.rejected',
    ]);
    // A rejected return does not count: the same unit may be asked for again.
    await ok(requestReturn(o, [{ orderItemId: line.id, quantity: 1 }]), 201);

    const list = await ok<{ items: Return[]; nextCursor: string | null }>(
      w.adminCall('GET', `/admin/returns?orderId=${o.id}&limit=1`),
    );
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.status).toBe('requested');
    const next = await ok<{ items: Return[]; nextCursor: string | null }>(
      w.adminCall('GET', `/admin/returns?orderId=${o.id}&limit=1&cursor=${list.nextCursor}`),
    );
    expect(next.items.map((i) => i.id)).toEqual([r.id]);
    expect(next.nextCursor).toBeNull();
    const byStatus = await ok<{ items: Return[] }>(w.adminCall('GET', `/admin/returns?status=rejected`));
    expect(byStatus.items.map((i) => i.id)).toContain(r.id);
    // Staff only.
    expect((await w.inject('GET', '/admin/returns')).statusCode).toBe(401);
  });

  it('a failing refund is retried with backoff, past the attempt budget at the cap with an alert, then completes once', async () => {
    const o = await confirmedCod([
      [A, 1],
      [B, 1],
    ]);
    const order = await deliver(o);
    const r = await returned(
      o,
      order.items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })),
    );
    // The cash was never booked: the payment is still pending and cannot be refunded yet.
    let view = await adminReturn(r.id);
    await waitFor(async () => {
      view = await adminReturn(r.id);
      return view.stepDetails!.refund.attempts === 1;
    }, 'first refund try failed');
    expect(view).toMatchObject({ status: 'received', steps: { restock: 'done', refund: 'pending' } });
    expect(view.stepDetails!.refund.lastError).toMatch(/pending payment cannot be refunded/);
    const nextAt = new Date(view.stepDetails!.nextAttemptAt!).getTime();
    const base = w.platform.orderline.config.ORDER_RETURN_STEP_RETRY_BASE_MS;
    expect(nextAt).toBeGreaterThan(Date.now() + base / 2 - 5_000);

    // Not due yet: the job leaves it alone.
    await w.runJob('order', 'return-compensation');
    expect((await adminReturn(r.id)).stepDetails!.refund.attempts).toBe(1);

    const overdue = async () =>
      (
        await w.platform.orderline.metrics.registry
          .getSingleMetric('orderline_order_return_steps_overdue_total')
          ?.get()
      )?.values.find((v) => v.labels.step === 'refund')?.value ?? 0;
    const overdueBefore = await overdue();
    // Clock forward: the retry is due.
    await w.sql(
      `UPDATE "order".returns SET steps_next_at = now() - interval '1 second' WHERE id = '${r.id}'`,
    );
    await w.runJob('order', 'return-compensation');
    view = await adminReturn(r.id);
    expect(view.stepDetails!.refund.attempts).toBe(MAX_ATTEMPTS);
    expect(await overdue()).toBe(overdueBefore + 1);
    // Past the budget: still scheduled, at the cap (never given up).
    const max = w.platform.orderline.config.ORDER_RETURN_STEP_RETRY_MAX_MS;
    const wait = new Date(view.stepDetails!.nextAttemptAt!).getTime() - Date.now();
    expect(wait).toBeGreaterThan(max / 2 - 5_000);
    expect(wait).toBeLessThanOrEqual(max);

    // The cash arrives; two runners race for the due steps: exactly one runs them.
    await ok(w.adminCall('POST', `/admin/payments/${order.payment.id}/mark-received`));
    await w.waitForOrder(o, 'payment captured', (b) => b.paymentStatus === 'captured');
    await w.sql(
      `UPDATE "order".returns SET steps_next_at = now() - interval '1 second' WHERE id = '${r.id}'`,
    );
    const deps = stepDeps();
    const outcomes = await Promise.all([runReturnSteps(deps, r.id), runReturnSteps(deps, r.id)]);
    expect(outcomes.filter((x) => x !== 'not_due')).toHaveLength(1);
    await completed(o, r.id);
    await w.waitForOrder(o, 'returned', (b) => b.status === 'returned');
    await waitFor(
      async () => (await payment(o.id)).refundedAmount.amount === String(refundable(order.totals)),
      'refund recorded',
    );
    // One restock (one ledger entry per sku and warehouse), one refund operation.
    const ledger = await w.sql(`SELECT 1 FROM warehouse.inventory_ledger WHERE reference = 'return:${r.id}'`);
    expect(ledger).toHaveLength(2);
    const refunds = await w.sql(
      `SELECT 1 FROM payment.payment_operations WHERE kind = 'refund' AND payment_id = '${order.payment.id}'`,
    );
    expect(refunds).toHaveLength(1);
    // Receiving again is refused and changes nothing.
    expect((await w.adminCall('POST', `/admin/returns/${r.id}/receive`)).statusCode).toBe(409);
  });

  it('the refund event completes the return when the runner did not record its refund (crash after the call)', async () => {
    const o = await confirmedCod([[B, 2]]);
    const order = await deliver(o);
    const r = await returned(o, [{ orderItemId: order.items[0]!.id, quantity: 1 }]);
    await waitFor(
      async () => (await adminReturn(r.id)).stepDetails!.refund.attempts === 1,
      'first refund try failed (cash not booked)',
    );
    await ok(w.adminCall('POST', `/admin/payments/${order.payment.id}/mark-received`));
    await w.waitForOrder(o, 'payment captured', (b) => b.paymentStatus === 'captured');
    // What a runner that crashed right after the provider answered leaves behind: the refund is
    // made with the return's key, the return still says pending.
    const result = await w.platform.orderline.clients.payment!.refund(
      systemCtx(w.platform.orderline.logger),
      order.payment.id,
      money(BigInt(r.refund.amount), 'USD'),
      `return:${r.id}:refund`,
      { returnId: r.id },
    );
    expect(result.ok).toBe(true);
    await completed(o, r.id);
    await w.waitForOrder(o, 'partially returned', (b) => b.status === 'partially_returned');
    const view = await adminReturn(r.id);
    expect(view.stepDetails!.refund.refundId).toBe(result.ok ? result.refundId : null);
    // The job finds nothing left to do; still one refund.
    await w.runJob('order', 'return-compensation');
    const refunds = await w.sql(
      `SELECT 1 FROM payment.payment_operations WHERE kind = 'refund' AND payment_id = '${order.payment.id}'`,
    );
    expect(refunds).toHaveLength(1);
    expect((await payment(o.id)).refundedAmount.amount).toBe(r.refund.amount);
  });

  it('payments.refund.completed delivered twice changes nothing; a full refund outside returns → refunded', async () => {
    const o = await w.checkout([[A, 1]], card());
    const order = await deliver(o);
    const r = await returned(o, [{ orderItemId: order.items[0]!.id, quantity: 1 }]);
    await completed(o, r.id);
    await w.waitForOrder(o, 'returned', (b) => b.status === 'returned');
    const snapshot = async () => ({
      order: await w.sql(`SELECT status, payment_status, sequence FROM "order".orders WHERE id = '${o.id}'`),
      returns: await w.sql(
        `SELECT status, refund_state, refund_id, completed_at FROM "order".returns WHERE order_id = '${o.id}'`,
      ),
      events: await w.sql(
        `SELECT topic FROM "order".outbox WHERE key IN ('${o.id}', '${r.id}') ORDER BY created_at, id`,
      ),
    });
    await waitFor(
      async () =>
        (
          await w.sql(
            `SELECT 1 FROM "order".orders WHERE id = '${o.id}' AND payment_status IN ('refunded', 'partially_refunded')`,
          )
        ).length === 1,
      'refund event applied',
    );
    const before = await snapshot();
    const [refund] = await w.sql<{ envelope: EventEnvelope }>(
      `SELECT envelope FROM payment.outbox WHERE topic = 'payments.refund.completed' AND key = '${o.id}'`,
    );
    expect(refund!.envelope.data).toMatchObject({ returnId: r.id });
    const bus = w.platform.orderline.eventing.bus();
    for (const e of [refund!.envelope, refund!.envelope, { ...refund!.envelope, id: newId() }])
      await bus.publish([e]);
    expect(await snapshot()).toEqual(before);

    // A refund of a delivered order's whole payment, not for a return: the order is refunded.
    const whole = await w.checkout([[A, 1]], card());
    const delivered = await deliver(whole);
    const paid = BigInt(delivered.totals.total.amount);
    const result = await w.platform.orderline.clients.payment!.refund(
      systemCtx(w.platform.orderline.logger),
      delivered.payment.id,
      money(paid, 'USD'),
      `test:${whole.id}:refund`,
    );
    expect(result.ok).toBe(true);
    await w.waitForOrder(whole, 'refunded', (b) => b.status === 'refunded' && b.paymentStatus === 'refunded');
  });

  /** The step runner with this platform's order schema and clients (two runners racing). */
  function stepDeps(): ReturnDeps {
    const { orderline } = w.platform;
    const counter = { inc: () => undefined };
    // The runner uses only these members of ReturnDeps.
    return {
      db: orderDb(),
      clock: systemClock,
      logger: orderline.logger,
      config: orderline.config,
      warehouse: orderline.clients.warehouse!,
      payment: orderline.clients.payment!,
      returnMetrics: { stepFailures: counter, stepsOverdue: counter },
      steps: returnStepPolicy(orderline.config),
    } as unknown as ReturnDeps;
  }
});
