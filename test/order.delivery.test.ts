import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import {
  card,
  cod,
  DELIVERY_SERVICES,
  type GuestOrder,
  type OrderWorld,
  orderEvents,
  startOrderWorld,
  transfer,
} from './order.fixtures.js';

interface Fulfillment {
  id: string;
  orderId: string;
  warehouseId: string;
  status: string;
}
interface Tracked {
  id: string;
  fulfillmentId: string | null;
  carrier: string;
  trackingNumber: string | null;
  status: string;
  events: { status: string }[];
}

/**
 * An order from checkout to `delivered` and `completed` through the public API and the real
 * services (docs/order-lifecycle.md): fulfillment drives processing/shipped (only when every
 * warehouse leg shipped), shipping drives delivered (signed carrier webhooks, or staff updates for
 * manual shipments), the warehouse deducts stock once on shipment, a job completes the order after
 * the return window. Card, COD and bank transfer; cancellation refused once shipped; the carrier
 * down → manual fallback.
 */
describe.each(TEST_DATABASES)('order delivery on %s', (kind) => {
  let w: OrderWorld;
  let east: string;
  const A = 'DLV-A';
  const B = 'DLV-B';

  beforeAll(async () => {
    w = await startOrderWorld(
      kind,
      {
        ORDER_RETURN_WINDOW_DAYS: '1',
        SHIPPING_CARRIER_MAX_ATTEMPTS: '2',
        SHIPPING_CARRIER_RETRY_BASE_MS: '1',
        SHIPPING_CARRIER_RETRY_MAX_MS: '1',
      },
      DELIVERY_SERVICES,
    );
    await w.product(A, '1500', 50);
    east = await w.warehouse('E', 40.7, -74.1);
    await w.product(B, '900', 50, east);
  });
  afterAll(() => w?.close());

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests
  const ok = (res: Promise<any>) => w.ok(res);
  const fulfillments = (orderId: string, count: number) => w.fulfillments(orderId, count);
  /** Staff work one fulfillment from pending to ready_to_ship with one parcel. */
  const prepare = (f: Fulfillment) => w.readyToShip([f.id]);

  async function tracking(o: GuestOrder): Promise<Tracked[]> {
    return (await ok(w.inject('GET', `/orders/${o.id}/tracking`, undefined, { 'x-cart-token': o.token })))
      .shipments;
  }

  async function shipmentOf(o: GuestOrder, fulfillmentId: string, status: string): Promise<Tracked> {
    let found: Tracked | undefined;
    await waitFor(
      async () => {
        found = (await tracking(o)).find((s) => s.fulfillmentId === fulfillmentId && s.status === status);
        return Boolean(found);
      },
      `shipment ${status}`,
      10_000,
    );
    return found!;
  }

  /** The carrier scans the parcel and sends its signed webhook, as simcarrier does. */
  async function scan(trackingNumber: string, status: string): Promise<void> {
    const delivery: { headers: Record<string, string>; body: string } = await ok(
      w.inject('POST', `/dev/simcarrier/parcels/${trackingNumber}/scan`, { status }),
    );
    const res = await w.platform.app.inject({
      method: 'POST',
      url: '/api/v1/shipping/webhooks/simcarrier',
      headers: { ...delivery.headers, 'content-type': 'application/json' },
      payload: delivery.body,
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
  }

  async function onHand(sku: string, warehouseId: string) {
    const inv: { items: { warehouseId: string; onHand: number; reserved: number }[] } = await ok(
      w.adminCall('GET', `/admin/inventory/${sku}`),
    );
    return inv.items.find((i) => i.warehouseId === warehouseId)!;
  }

  it('card: pick, pack, ship, deliver, complete — each step driven by its event, stock deducted once', async () => {
    const before = await onHand(A, w.warehouseId);
    const o = await w.checkout([[A, 2]], card(), 'simcarrier');
    await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    const [f] = await fulfillments(o.id, 1);
    await ok(w.adminCall('POST', '/admin/picklists', { fulfillmentIds: [f!.id] }));
    await w.waitForOrder(o, 'processing', (b) => b.status === 'processing');
    // The owner may no longer cancel once fulfillment started.
    expect(
      (await w.inject('POST', `/orders/${o.id}/cancel`, {}, { 'x-cart-token': o.token })).statusCode,
    ).toBe(409);
    await ok(w.adminCall('POST', `/admin/fulfillments/${f!.id}/pick`));
    await ok(w.adminCall('POST', `/admin/fulfillments/${f!.id}/pack`, { packages: [{ weightGrams: 700 }] }));
    await ok(w.adminCall('POST', `/admin/fulfillments/${f!.id}/ready`));

    const booked = await shipmentOf(o, f!.id, 'label_created');
    expect(booked.carrier).toBe('simcarrier');
    expect(booked.trackingNumber).toMatch(/^SIM/);
    await scan(booked.trackingNumber!, 'in_transit');
    await w.waitForOrder(o, 'shipped', (b) => b.status === 'shipped');
    await w.waitForOrder(o, 'its shipment copy', (b) => b.shipments[0]?.status === 'in_transit');
    expect((await w.read(o)).shipments).toEqual([
      expect.objectContaining({ id: booked.id, carrier: 'simcarrier' }),
    ]);
    // Admins cannot cancel what left the warehouse.
    const refused = await w.adminCall('POST', `/orders/${o.id}/cancel`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('invalid_transition');
    await waitFor(
      async () => (await onHand(A, w.warehouseId)).onHand === before.onHand - 2,
      'stock deducted',
      10_000,
    );
    expect(await onHand(A, w.warehouseId)).toMatchObject({
      onHand: before.onHand - 2,
      reserved: before.reserved,
    });

    await scan(booked.trackingNumber!, 'out_for_delivery');
    await scan(booked.trackingNumber!, 'delivered');
    const delivered = await w.waitForOrder(o, 'delivered', (b) => b.status === 'delivered');
    expect(delivered).toMatchObject({ deliveredAt: expect.any(String) });
    await waitFor(
      async () =>
        (await ok(w.adminCall('GET', `/admin/fulfillments?orderId=${o.id}`))).items[0]!.status ===
        'completed',
      'fulfillment completed',
      10_000,
    );
    // G9: tracking is the owner's only — another guest's token or none reads nothing.
    const other = await w.checkout([[A, 1]], card(), 'simcarrier');
    for (const headers of [{ 'x-cart-token': other.token }, {}] as Record<string, string>[])
      expect((await w.inject('GET', `/orders/${o.id}/tracking`, undefined, headers)).statusCode).toBe(404);
    const track = await tracking(o);
    expect(track[0]!.events.map((e) => e.status)).toEqual(
      expect.arrayContaining(['label_created', 'in_transit', 'out_for_delivery', 'delivered']),
    );
    const adminView = await ok(w.adminCall('GET', `/admin/orders/${o.id}`));
    expect(adminView.tracking).toHaveLength(1);

    // Completion waits for the return window (1 day here).
    await w.runJob('order', 'order-completion');
    expect((await w.read(o)).status).toBe('delivered');
    await w.sql(`UPDATE "order".orders SET delivered_at = now() - interval '2 days' WHERE id = '${o.id}'`);
    await w.runJob('order', 'order-completion');
    expect((await w.read(o)).status).toBe('completed');
    expect((await onHand(A, w.warehouseId)).onHand).toBe(before.onHand - 2);

    // G4/G6: every fulfillment and shipping event of the flow again — twice each, fresh ids so the
    // inbox does not just drop them, shuffled — to every consumer: nothing changes.
    const snapshot = async () => ({
      order: await w.sql(
        `SELECT status, sequence, delivered_at, completed_at FROM "order".orders WHERE id = '${o.id}'`,
      ),
      shipments: await w.sql(
        `SELECT id, status, version FROM "order".order_shipments WHERE order_id = '${o.id}'`,
      ),
      fulfillments: await w.sql(`SELECT status FROM fulfillment.fulfillments WHERE order_id = '${o.id}'`),
      stock: await onHand(A, w.warehouseId),
      reservation: await w.reservationStatus(o.id),
    });
    const settled = await snapshot();
    const envelopes = [
      ...(await w.sql<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM fulfillment.outbox WHERE key = '${o.id}' OR envelope->'data'->>'orderId' = '${o.id}'`,
      )),
      ...(await w.sql<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM shipping.outbox WHERE key = '${o.id}'`,
      )),
    ].map((r) => r.envelope);
    expect(envelopes.length).toBeGreaterThan(8);
    const replay = [...envelopes, ...envelopes]
      .map((e) => ({ e: { ...e, id: newId() }, k: Math.random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.e);
    const bus = w.platform.orderline.eventing.bus();
    for (const e of replay) await bus.publish([e]);
    expect(await snapshot()).toEqual(settled);

    const statuses = (await orderEvents(w, o.id))
      .filter((e) => e.topic === 'orders.order.status_changed')
      .map((e) => [e.newStatus, e.sequence]);
    expect(statuses).toEqual([
      ['pending', 1],
      ['confirmed', 2],
      ['processing', 3],
      ['shipped', 4],
      ['delivered', 5],
      ['completed', 6],
    ]);
  });

  it('a two-warehouse order ships only when both fulfillments shipped, and is delivered only when both parcels are', async () => {
    const before = await onHand(A, w.warehouseId);
    const o = await w.checkout(
      [
        [A, 1],
        [B, 1],
      ],
      card(),
      'simcarrier',
    );
    await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    const list = await fulfillments(o.id, 2);
    const west = list.find((f) => f.warehouseId === w.warehouseId)!;
    const eastF = list.find((f) => f.warehouseId === east)!;

    await prepare(west);
    const first = await shipmentOf(o, west.id, 'label_created');
    await scan(first.trackingNumber!, 'in_transit');
    // Only this order's west unit leaves: on hand and reserved both back to where they were minus it.
    await waitFor(
      async () => (await onHand(A, w.warehouseId)).onHand === before.onHand - 1,
      'west deducted',
      10_000,
    );
    expect((await onHand(A, w.warehouseId)).reserved).toBe(before.reserved);
    expect((await w.read(o)).status).toBe('processing');
    // Half of it left a warehouse: not even an admin can cancel it now.
    const refused = await w.adminCall('POST', `/orders/${o.id}/cancel`, {});
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().code).toBe('order_partially_shipped');
    // The first parcel arrives while the second leg is still being packed: not delivered.
    await scan(first.trackingNumber!, 'delivered');
    await shipmentOf(o, west.id, 'delivered');
    await w.runJob('order', 'delivery-check');
    expect((await w.read(o)).status).toBe('processing');

    await prepare(eastF);
    const second = await shipmentOf(o, eastF.id, 'label_created');
    await scan(second.trackingNumber!, 'in_transit');
    await w.waitForOrder(o, 'shipped', (b) => b.status === 'shipped');
    await w.runJob('order', 'delivery-check');
    expect((await w.read(o)).status).toBe('shipped');
    await scan(second.trackingNumber!, 'delivered');
    const done = await w.waitForOrder(o, 'delivered', (b) => b.status === 'delivered');
    expect(done.shipments.map((s) => s.status)).toEqual(['delivered', 'delivered']);
  });

  it('COD and bank transfer orders go the same way; manual updates by staff use the same guard', async () => {
    const c = await w.checkout([[A, 1]], cod, 'simcarrier');
    await w.runJob('order', 'cod-confirmation');
    await w.waitForOrder(c, 'confirmed', (b) => b.status === 'confirmed');
    const t = await w.checkout([[A, 1]], transfer, 'simcarrier');
    await ok(w.adminCall('POST', `/admin/payments/${t.body.payment.id}/mark-received`));
    await w.waitForOrder(t, 'confirmed', (b) => b.status === 'confirmed');

    for (const o of [c, t]) {
      const [f] = await fulfillments(o.id, 1);
      await prepare(f!);
      const s = await shipmentOf(o, f!.id, 'label_created');
      await ok(w.adminCall('POST', `/admin/shipments/${s.id}/status`, { status: 'in_transit' }));
      await w.waitForOrder(o, 'shipped', (b) => b.status === 'shipped');
      const back = await w.adminCall('POST', `/admin/shipments/${s.id}/status`, { status: 'label_created' });
      expect(back.statusCode).toBe(409);
      await ok(
        w.adminCall('POST', `/admin/shipments/${s.id}/status`, { status: 'delivered', note: 'signed by J.' }),
      );
      await w.waitForOrder(o, 'delivered', (b) => b.status === 'delivered');
    }
    await w.sql(
      `UPDATE "order".orders SET delivered_at = now() - interval '2 days' WHERE id IN ('${c.id}', '${t.id}')`,
    );
    await w.runJob('order', 'order-completion');
    expect(await w.read(t)).toMatchObject({ status: 'completed', paymentStatus: 'captured' });
    // COD cash comes with the carrier's remittance: staff record it, the order's payment follows.
    expect(await w.read(c)).toMatchObject({ status: 'completed', paymentStatus: 'pending' });
    await ok(w.adminCall('POST', `/admin/payments/${c.body.payment.id}/mark-received`));
    await w.waitForOrder(c, 'COD collected', (b) => b.paymentStatus === 'captured');
    expect((await w.read(c)).status).toBe('completed');
  });

  it('carrier down: booking is retried, then handed to staff (manual), who deliver it', async () => {
    await ok(w.inject('PUT', '/dev/simcarrier/outage', { down: true }));
    try {
      const o = await w.checkout([[A, 1]], card(), 'simcarrier');
      await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
      const [f] = await fulfillments(o.id, 1);
      await prepare(f!);
      await shipmentOf(o, f!.id, 'carrier_pending');
      await waitFor(
        async () => {
          await w.runJob('shipping', 'shipment-booking');
          return (await tracking(o)).some((s) => s.status === 'manual');
        },
        'manual fallback',
        10_000,
      );
      const manual = await shipmentOf(o, f!.id, 'manual');
      expect(manual.carrier).toBe('manual');
      await ok(w.adminCall('POST', `/admin/shipments/${manual.id}/status`, { status: 'in_transit' }));
      await ok(w.adminCall('POST', `/admin/shipments/${manual.id}/status`, { status: 'delivered' }));
      await w.waitForOrder(o, 'delivered', (b) => b.status === 'delivered');
    } finally {
      await ok(w.inject('PUT', '/dev/simcarrier/outage', { down: false }));
    }
  });
});
