import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { mailbox } from './customer.fixtures.js';
import { TEST_DATABASES } from './harness.js';
import {
  customerCheckout,
  deliverOrder,
  mailsMatching,
  messageRows,
  OPERATOR,
  readOrder,
  type Shopper,
  shopper,
  startNotificationWorld,
  waitForStatus,
} from './notification.fixtures.js';
import type { OrderWorld } from './order.fixtures.js';

/**
 * Every customer message of an order from a real flow through the public API and the real
 * services: confirmed, shipped (carrier and tracking link), delivered, the consent-gated review
 * invitation, cancelled, return requested / approved / rejected / received, refund completed; the
 * customer's language; operator messages for low stock. One message per fact each time.
 */
describe.each(TEST_DATABASES)('notification flows on %s', (kind) => {
  let w: OrderWorld;
  const A = 'NTF-A';
  const LOW = 'NTF-LOW';

  beforeAll(async () => {
    w = await startNotificationWorld(kind, {
      ORDER_RETURN_WINDOW_DAYS: '30',
      WAREHOUSE_LOW_STOCK_THRESHOLD: '5',
    });
    await w.product(A, '1500', 100);
    await w.product(LOW, '700', 7);
  }, 240_000);
  afterAll(() => w?.close());

  const subjects = async (s: Shopper) => (await mailbox(w.platform.app, s.email)).map((m) => m.subject);

  it('confirmed, shipped with carrier and tracking link, delivered, review invitation with consent', async () => {
    const s = await shopper(w, { reviewRequests: true, marketingConsent: true });
    const order = await customerCheckout(w, s, [[A, 2]]);
    const short = order.id.slice(0, 8).toUpperCase();
    const [confirmed] = await mailsMatching(w, s.email, /is confirmed$/);
    expect(confirmed!.subject).toBe(`Your order ${short} is confirmed`);
    expect(confirmed!.text).toContain(`2 × ${A}`);
    expect(confirmed!.text).toContain('Total: ');
    expect(confirmed!.text).toContain('Hi Ada');
    expect(confirmed!.html).toContain(`href="https://shop.test/orders/${order.id}"`);

    await deliverOrder(w, s, order.id);
    const [shipped] = await mailsMatching(w, s.email, /is on its way$/);
    const tracking = (await readOrder(w, s, order.id)).shipments[0]!.trackingNumber!;
    expect(shipped!.text).toContain(
      `simcarrier, tracking number ${tracking}: https://track.sim.test/p/${tracking}`,
    );
    expect(shipped!.html).toContain(`href="https://track.sim.test/p/${tracking}"`);
    await mailsMatching(w, s.email, /was delivered$/);
    const [invitation] = await mailsMatching(w, s.email, /^How do you like/);
    const productId = (await readOrder(w, s, order.id)).items[0] as unknown as { productId: string };
    expect(invitation!.text).toContain(`https://shop.test/products/${productId.productId}#reviews`);

    // Exactly one of each, and every row sent.
    const mine = (await subjects(s)).filter(
      (x) => x !== 'Welcome to Orderline' && x !== 'Confirm your email address',
    );
    expect(mine.sort()).toEqual(
      [
        `How do you like your order ${short}?`,
        `Your order ${short} is confirmed`,
        `Your order ${short} is on its way`,
        `Your order ${short} was delivered`,
      ].sort(),
    );
    const rows = await messageRows(w)
      .select(['template', 'status', 'category'])
      .where('customer_id', '=', s.id)
      .where('template', 'like', '%order%')
      .execute();
    expect(rows.every((r: { status: string }) => r.status === 'sent')).toBe(true);
  }, 120_000);

  it('no marketing without consent (suppressed, never sent); German for a German customer', async () => {
    const s = await shopper(w, { language: 'de', reviewRequests: true, marketingConsent: false });
    const order = await customerCheckout(w, s, [[A, 1]]);
    await deliverOrder(w, s, order.id);
    const short = order.id.slice(0, 8).toUpperCase();
    await mailsMatching(w, s.email, /wurde zugestellt$/);
    await waitFor(
      async () =>
        (
          await messageRows(w)
            .select('status')
            .where('customer_id', '=', s.id)
            .where('template', '=', 'review_invitation')
            .execute()
        )[0]?.status === 'suppressed',
      'invitation suppressed',
    );
    const all = await subjects(s);
    expect(all).toContain(`Ihre Bestellung ${short} ist bestätigt`);
    expect(all).toContain(`Ihre Bestellung ${short} ist unterwegs`);
    expect(all.some((x) => x.startsWith('How do you like'))).toBe(false);
  }, 120_000);

  it('cancelled: one message with the reason', async () => {
    const s = await shopper(w);
    const order = await customerCheckout(w, s, [[A, 1]]);
    await waitForStatus(w, s, order.id, 'confirmed');
    const res = await w.inject(
      'POST',
      `/orders/${order.id}/cancel`,
      { reason: 'changed my mind' },
      s.headers,
    );
    expect(res.statusCode, res.body).toBe(200);
    const [mail] = await mailsMatching(w, s.email, /was cancelled$/);
    expect(mail!.text).toContain('changed my mind');
    expect((await subjects(s)).filter((x) => x.endsWith('was cancelled'))).toHaveLength(1);
  }, 120_000);

  it('returns: requested, approved, received, refund completed; and a rejected one', async () => {
    const s = await shopper(w);
    const order = await customerCheckout(w, s, [[A, 2]]);
    const delivered = await deliverOrder(w, s, order.id);
    const item = delivered.items[0]!;
    const requested = await w.inject(
      'POST',
      `/orders/${order.id}/returns`,
      { items: [{ orderItemId: item.id, quantity: 1 }], reason: 'too small' },
      s.headers,
    );
    expect(requested.statusCode, requested.body).toBe(201);
    const returnId = requested.json().id;
    const [req] = await mailsMatching(w, s.email, /^We received your return request$/);
    expect(req!.text).toContain(returnId);
    await w.ok(w.adminCall('POST', `/admin/returns/${returnId}/approve`));
    await mailsMatching(w, s.email, /^Your return was approved$/);
    await w.ok(w.adminCall('POST', `/admin/returns/${returnId}/receive`));
    const [received] = await mailsMatching(w, s.email, /^We received your returned items$/);
    expect(received!.text).toMatch(/We refund \d+\.\d{2} USD/);
    const [refund] = await mailsMatching(w, s.email, /^Your refund of \d+\.\d{2} USD is on its way$/);
    expect(refund!.text).toContain(order.id);

    // A second return of the other unit, rejected.
    const again = await w.inject(
      'POST',
      `/orders/${order.id}/returns`,
      { items: [{ orderItemId: item.id, quantity: 1 }], reason: 'also too small' },
      s.headers,
    );
    if (again.statusCode === 201) {
      await w.ok(w.adminCall('POST', `/admin/returns/${again.json().id}/reject`, { reason: 'worn' }));
      const [rejected] = await mailsMatching(w, s.email, /^Your return request was declined$/);
      expect(rejected!.text).toContain('worn');
    } else {
      // The order's return rules allow one return: reject on a fresh order instead.
      const other = await customerCheckout(w, s, [[A, 1]]);
      const d2 = await deliverOrder(w, s, other.id);
      const r2 = await w.ok(
        w.inject(
          'POST',
          `/orders/${other.id}/returns`,
          { items: [{ orderItemId: d2.items[0]!.id, quantity: 1 }], reason: 'meh' },
          s.headers,
        ),
      );
      await w.ok(w.adminCall('POST', `/admin/returns/${r2.id}/reject`, { reason: 'worn' }));
      const [rejected] = await mailsMatching(w, s.email, /^Your return request was declined$/);
      expect(rejected!.text).toContain('worn');
    }
    expect((await subjects(s)).filter((x) => x.startsWith('Your refund of'))).toHaveLength(1);
  }, 120_000);

  it('operators hear about low stock', async () => {
    const s = await shopper(w);
    await customerCheckout(w, s, [[LOW, 3]]);
    const [mail] = await mailsMatching(w, OPERATOR, new RegExp(`^\\[ops\\] Low stock: ${LOW}$`));
    expect(mail!.text).toMatch(/down to \d+ available \(threshold 5\)/);
  }, 120_000);
});
