import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { createStaff } from './auth.fixtures.js';
import { ADDRESS } from './checkout.fakes.js';
import { bearer, loginAs, TEST_DATABASES } from './harness.js';
import { deliver as deliverEvents } from './lifecycle.fixtures.js';
import {
  type Shipment,
  type ShippingWorld,
  signed,
  startShippingWorld,
  WEBHOOK_SECRETS,
} from './shipping.fixtures.js';

const TRACKING = /^SIM[0-9A-HJKMNP-TV-Z]{12}$/;

/**
 * Shipments through HTTP and events with every real service (docs/order-lifecycle.md "Shipping"):
 * a card order driven to ready_to_ship through the fulfillment admin API gets its shipments booked
 * with simcarrier (SHIP-P0-01, idempotent under redelivery), signed carrier webhooks (OR-P0-04,
 * dedupe by event id), depot scans picked up by the tracking poll, delivery events with
 * allShipmentsDelivered, staff updates under the status table, tracking numbers unique per carrier
 * (SHIP-P0-02), and cancellation with the order or the package.
 */
describe.each(TEST_DATABASES)('shipments on %s', (kind) => {
  let w: ShippingWorld;

  beforeAll(async () => {
    w = await startShippingWorld(kind);
  });
  afterAll(() => w?.close());

  const booked = (orderId: string, count = 1) =>
    w.waitShipments(
      orderId,
      `${count} shipment(s) booked`,
      (s) => s.length === count && s.every((x) => x.status === 'label_created'),
    );
  const deliver = (body: string, headers: Record<string, string>, carrier = 'simcarrier') =>
    w.inject('POST', `/shipping/webhooks/${carrier}`, body, headers);
  const scan = (trackingNumber: string, status: string, note?: string) =>
    w.ok(
      w.inject('POST', `/dev/simcarrier/parcels/${trackingNumber}/scan`, {
        status,
        ...(note ? { note } : {}),
      }),
    );
  const setStatus = (id: string, body: object, headers: Record<string, string> = w.admin) =>
    w.inject('POST', `/admin/shipments/${id}/status`, body, headers);
  const moves = (events: { data: Record<string, unknown> }[]) =>
    events.map((e) => [e.data.shipmentId, e.data.oldStatus, e.data.newStatus, e.data.version]);
  const history = (s: Shipment) => s.events.map((e) => [e.status, e.source]);

  /** Publishes envelopes again with fresh ids and waits until shipping's inbox took them all. */
  async function redeliver(envelopes: EventEnvelope[]) {
    await deliverEvents(
      w.platform,
      'shipping',
      envelopes.map((e) => ({ ...e, id: newId() })),
    );
  }

  it('a ready package gets one shipment booked with simcarrier, also when its event is delivered again', async () => {
    const o = await w.readyOrder('simcarrier');
    const [s] = await booked(o.orderId);
    expect(s).toMatchObject({
      orderId: o.orderId,
      fulfillmentId: o.fulfillmentId,
      packageId: o.packageIds[0],
      carrier: 'simcarrier',
      status: 'label_created',
      version: 2,
      attempts: 1,
      nextAttemptAt: null,
      lastError: null,
    });
    expect(s!.trackingNumber).toMatch(TRACKING);
    expect(history(s!)).toEqual([
      ['created', 'system'],
      ['label_created', 'system'],
    ]);
    // simcarrier's own books: one parcel for the booking reference.
    expect(
      await w.sql(
        `SELECT tracking_number, status, destination_country FROM shipping.simcarrier_parcels WHERE reference = '${s!.id}'`,
      ),
    ).toEqual([{ tracking_number: s!.trackingNumber, status: 'label_created', destination_country: 'US' }]);

    const published = await w.published(`key = '${o.orderId}'`);
    expect(published.map((e) => e.topic)).toEqual([
      'shipping.shipment.status_changed',
      'shipping.shipment.status_changed',
    ]);
    expect(moves(published)).toEqual([
      [s!.id, null, 'created', 1],
      [s!.id, 'created', 'label_created', 2],
    ]);
    expect(published[1]!.data).toMatchObject({
      orderId: o.orderId,
      fulfillmentId: o.fulfillmentId,
      packageId: o.packageIds[0],
      carrierCode: 'simcarrier',
      trackingNumber: s!.trackingNumber,
    });
    // G10: the address goes to the carrier, never into an event.
    expect(JSON.stringify(published)).not.toContain(ADDRESS.line1);

    // G4: the package's events again with fresh ids, twice: nothing new.
    const envelopes = (
      await w.sql<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM fulfillment.outbox WHERE topic = 'fulfillment.package_status_changed' AND key = '${o.packageIds[0]}'`,
      )
    ).map((r) => r.envelope);
    expect(envelopes).toHaveLength(1);
    await redeliver([...envelopes, ...envelopes]);
    expect(await w.shipments(o.orderId)).toEqual([s]);
    expect(await w.published(`key = '${o.orderId}'`)).toHaveLength(2);
    expect(
      await w.sql(`SELECT 1 FROM shipping.simcarrier_parcels WHERE order_id = '${o.orderId}'`),
    ).toHaveLength(1);
    expect(await w.runJob('shipment-booking')).toBe(0);

    // The order service's view of it (GET /orders/{id}/tracking reads this).
    const views = await w.platform.orderline.clients.shipping!.shipmentsForOrder(o.orderId);
    expect(views).toEqual([
      expect.objectContaining({
        id: s!.id,
        packageId: o.packageIds[0],
        trackingNumber: s!.trackingNumber,
        status: 'label_created',
        version: 2,
        deliveredAt: null,
        events: [
          expect.objectContaining({ status: 'created', source: 'system' }),
          expect.objectContaining({ status: 'label_created', source: 'system' }),
        ],
      }),
    ]);

    // Only manual shipments take a tracking number by hand.
    const refused = await setStatus(s!.id, { status: 'in_transit', trackingNumber: 'OWN-1' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('tracking_number_not_allowed');
  });

  it('webhooks: a signed scan applies once; unsigned, forged or stale deliveries are 401 and store nothing', async () => {
    const o = await w.readyOrder('simcarrier');
    const [s] = await booked(o.orderId);
    const tn = s!.trackingNumber!;
    const delivery = await scan(tn, 'in_transit', 'Picked up at the depot');
    const event = JSON.parse(delivery.body);
    expect(event).toMatchObject({ trackingNumber: tn, status: 'in_transit', note: 'Picked up at the depot' });
    const stored = async () =>
      (await w.sql(`SELECT outcome FROM shipping.carrier_webhook_events WHERE shipment_id = '${s!.id}'`))
        .length;

    const refusals = [
      await deliver(delivery.body, { 'content-type': 'application/json' }),
      await deliver(delivery.body.replace('in_transit', 'delivered'), delivery.headers),
      await deliver(delivery.body, signed(delivery.body, { secret: 'whsec_somebody_else' })),
      await deliver(delivery.body, signed(delivery.body, { at: new Date(Date.now() - 10 * 60_000) })),
    ];
    for (const res of refusals) {
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json().code).toBe('invalid_signature');
    }
    expect((await deliver(delivery.body, delivery.headers, 'dhl')).statusCode).toBe(404);
    expect((await deliver(delivery.body, delivery.headers, 'manual')).statusCode).toBe(404);
    expect(await stored()).toBe(0);
    expect((await w.shipments(o.orderId))[0]!.status).toBe('label_created');

    const first = await deliver(delivery.body, delivery.headers);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      received: true,
      eventId: event.eventId,
      outcome: 'applied',
      shipmentId: s!.id,
      status: 'in_transit',
    });
    // The carrier retries the same event later, signed anew: a no-op.
    const again = await deliver(delivery.body, signed(delivery.body));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ outcome: 'duplicate', shipmentId: s!.id, status: 'in_transit' });
    const forged = JSON.stringify({ ...event, status: 'delivered' });
    const conflict = await deliver(forged, signed(forged));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('webhook_event_conflict');

    // G6: a backward scan and a scan older than the applied one are received and ignored; the
    // previous secret still verifies (rotation).
    const backward = JSON.stringify({
      eventId: `evt_${newId()}`,
      trackingNumber: tn,
      status: 'label_created',
      occurredAt: new Date().toISOString(),
    });
    expect((await deliver(backward, signed(backward, { secret: WEBHOOK_SECRETS[1] }))).json()).toMatchObject({
      outcome: 'ignored_stale',
      status: 'in_transit',
    });
    const older = JSON.stringify({
      eventId: `evt_${newId()}`,
      trackingNumber: tn,
      status: 'delivered',
      occurredAt: new Date(Date.parse(event.occurredAt) - 60_000).toISOString(),
    });
    expect((await deliver(older, signed(older))).json()).toMatchObject({
      outcome: 'ignored_stale',
      status: 'in_transit',
    });

    const unknown = JSON.stringify({
      eventId: `evt_${newId()}`,
      trackingNumber: 'SIM000000000000',
      status: 'in_transit',
      occurredAt: new Date().toISOString(),
    });
    expect((await deliver(unknown, signed(unknown))).statusCode).toBe(404);
    const malformed = JSON.stringify({ eventId: `evt_${newId()}`, trackingNumber: tn, status: 'teleported' });
    expect((await deliver(malformed, signed(malformed))).statusCode).toBe(400);

    const [after] = await w.shipments(o.orderId);
    expect(after).toMatchObject({ status: 'in_transit', version: 3 });
    expect(after!.events.at(-1)).toMatchObject({
      status: 'in_transit',
      source: 'carrier_webhook',
      note: 'Picked up at the depot',
      occurredAt: event.occurredAt,
    });
    expect(moves(await w.published(`key = '${o.orderId}'`))).toEqual([
      [s!.id, null, 'created', 1],
      [s!.id, 'created', 'label_created', 2],
      [s!.id, 'label_created', 'in_transit', 3],
    ]);
    expect(await stored()).toBe(3);
  });

  it('depot scans reach shipments through the tracking poll; delivery tells when every parcel arrived', async () => {
    const o = await w.readyOrder('simcarrier', [900, 400]);
    const [a, b] = await booked(o.orderId, 2);
    for (const status of ['in_transit', 'out_for_delivery', 'delivered'])
      await scan(a!.trackingNumber!, status);
    await scan(b!.trackingNumber!, 'in_transit');
    expect(await w.runJob('tracking-poll')).toBeGreaterThanOrEqual(2);

    const [pa, pb] = await w.shipments(o.orderId);
    expect(pa).toMatchObject({ id: a!.id, status: 'delivered', version: 5, deliveredAt: expect.any(String) });
    expect(history(pa!)).toEqual([
      ['created', 'system'],
      ['label_created', 'system'],
      ['in_transit', 'carrier_poll'],
      ['out_for_delivery', 'carrier_poll'],
      ['delivered', 'carrier_poll'],
    ]);
    expect(pb).toMatchObject({ id: b!.id, status: 'in_transit', deliveredAt: null });
    const deliveredEvents = () =>
      w.published(`topic = 'shipping.shipment.delivered' AND key = '${o.orderId}'`);
    expect(
      (await deliveredEvents()).map((e) => [e.data.shipmentId, e.data.allShipmentsDelivered, e.data.version]),
    ).toEqual([[a!.id, false, 5]]);

    // The second parcel skips out_for_delivery: tracking may skip scans.
    const last = await scan(b!.trackingNumber!, 'delivered');
    expect((await deliver(last.body, last.headers)).json()).toMatchObject({
      outcome: 'applied',
      status: 'delivered',
    });
    expect((await deliveredEvents()).map((e) => [e.data.shipmentId, e.data.allShipmentsDelivered])).toEqual([
      [a!.id, false],
      [b!.id, true],
    ]);

    // Polling again replays the parcels' whole timelines: nothing moves twice.
    const count = (await w.published(`key = '${o.orderId}'`)).length;
    await w.runJob('tracking-poll');
    expect(await w.published(`key = '${o.orderId}'`)).toHaveLength(count);
    // A delivered parcel takes no more scans.
    const closed = await w.inject('POST', `/dev/simcarrier/parcels/${b!.trackingNumber}/scan`, {
      status: 'in_transit',
    });
    expect(closed.statusCode).toBe(409);
  });

  it('manual shipments wait for staff, who move them under the same table; tracking numbers are unique per carrier', async () => {
    const o = await w.readyOrder('manual', [500, 500]);
    const [m1, m2] = await w.waitShipments(
      o.orderId,
      'manual shipments',
      (s) => s.length === 2 && s.every((x) => x.status === 'manual'),
    );
    expect(m1).toMatchObject({ carrier: 'manual', trackingNumber: null, version: 2, attempts: 1 });
    expect(await w.sql(`SELECT 1 FROM shipping.simcarrier_parcels WHERE order_id = '${o.orderId}'`)).toEqual(
      [],
    );

    for (const status of ['returned_to_sender', 'created', 'carrier_pending']) {
      const res = await setStatus(m1!.id, { status });
      expect(res.statusCode, status).toBe(409);
      expect(res.json().code).toBe('invalid_transition');
    }
    const moved = await setStatus(m1!.id, {
      status: 'in_transit',
      trackingNumber: 'OWN-1001',
      note: 'Handed to our courier',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ status: 'in_transit', trackingNumber: 'OWN-1001', version: 3 });
    expect(moved.json().events.at(-1)).toMatchObject({
      status: 'in_transit',
      source: 'admin',
      note: 'Handed to our courier',
    });

    // SHIP-P0-02: the number belongs to m1 for the manual carrier, through the API and in the table.
    const clash = await setStatus(m2!.id, { status: 'in_transit', trackingNumber: 'OWN-1001' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('tracking_number_taken');
    expect((await w.shipments(o.orderId))[1]).toMatchObject({ status: 'manual', trackingNumber: null });
    await expect(
      w.sql(`UPDATE shipping.shipments SET tracking_number = 'OWN-1001' WHERE id = '${m2!.id}'`),
    ).rejects.toThrow(/shipments_carrier_tracking_key/);

    expect((await setStatus(m1!.id, { status: 'delivered' })).statusCode).toBe(200);
    const back = await setStatus(m1!.id, { status: 'in_transit' });
    expect(back.statusCode).toBe(409);
    expect(back.json().code).toBe('invalid_transition');

    // Shippers update shipments; support staff cannot; anonymous callers are 401.
    const adminToken = w.admin.authorization!.slice('Bearer '.length);
    const shipper = await createStaff(w.platform.app, adminToken, { type: 'shipper' });
    const support = await createStaff(w.platform.app, adminToken, { type: 'admin', roles: ['support'] });
    const shipperH = bearer(
      (await loginAs(w.platform.app, shipper.email, shipper.password, 'shipper')).accessToken,
    );
    const supportH = bearer(
      (await loginAs(w.platform.app, support.email, support.password, 'admin')).accessToken,
    );
    expect((await setStatus(m2!.id, { status: 'delivered' }, supportH)).statusCode).toBe(403);
    expect((await w.inject('GET', `/admin/shipments/${m2!.id}`, undefined, supportH)).statusCode).toBe(403);
    expect((await setStatus(m2!.id, { status: 'delivered' }, {})).statusCode).toBe(401);
    expect((await w.inject('GET', `/admin/shipments/${m2!.id}`, undefined, shipperH)).statusCode).toBe(200);
    const done = await setStatus(m2!.id, { status: 'delivered', note: 'Signed by the customer' }, shipperH);
    expect(done.statusCode, done.body).toBe(200);

    const delivered = await w.published(`topic = 'shipping.shipment.delivered' AND key = '${o.orderId}'`);
    expect(
      delivered.map((e) => [e.data.shipmentId, e.data.carrierCode, e.data.allShipmentsDelivered]),
    ).toEqual([
      [m1!.id, 'manual', false],
      [m2!.id, 'manual', true],
    ]);
    const one = await w.ok(w.adminCall('GET', `/admin/shipments/${m1!.id}`));
    expect(history(one)).toEqual([
      ['created', 'system'],
      ['manual', 'system'],
      ['in_transit', 'admin'],
      ['delivered', 'admin'],
    ]);
    expect((await w.adminCall('GET', `/admin/shipments/${newId()}`)).statusCode).toBe(404);
  });

  it('an order cancelled before its parcel left cancels the shipment and voids the label, once', async () => {
    const o = await w.readyOrder('simcarrier');
    const [s] = await booked(o.orderId);
    const res = await w.adminCall('POST', `/orders/${o.orderId}/cancel`, { reason: 'customer called' });
    expect(res.statusCode, res.body).toBe(200);
    const [c] = await w.waitShipments(
      o.orderId,
      'shipment cancelled and label voided',
      (x) => x[0]?.status === 'cancelled' && x[0].carrierCancel?.state === 'done',
    );
    expect(c).toMatchObject({ trackingNumber: s!.trackingNumber, version: 3 });
    expect(c!.events.at(-1)).toMatchObject({
      status: 'cancelled',
      source: 'system',
      note: 'Order cancelled',
    });
    expect(
      await w.sql(
        `SELECT status FROM shipping.simcarrier_parcels WHERE tracking_number = '${s!.trackingNumber}'`,
      ),
    ).toEqual([{ status: 'cancelled' }]);

    // G4/G6: the order's events again (twice), then once more with the applied sequence forgotten.
    const envelopes = (
      await w.sql<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM "order".outbox WHERE key = '${o.orderId}' AND topic = 'orders.order.status_changed'`,
      )
    ).map((r) => r.envelope);
    const count = (await w.published(`key = '${o.orderId}'`)).length;
    await redeliver([...envelopes, ...envelopes]);
    await w.sql(`DELETE FROM shipping.order_sequences WHERE order_id = '${o.orderId}'`);
    await redeliver(envelopes);
    expect(await w.shipments(o.orderId)).toEqual([c]);
    expect(await w.published(`key = '${o.orderId}'`)).toHaveLength(count);
    const cancelled = await w.published(
      `key = '${o.orderId}' AND envelope->'data'->>'newStatus' = 'cancelled'`,
    );
    expect(moves(cancelled)).toEqual([[s!.id, 'label_created', 'cancelled', 3]]);
  });

  it('a cancelled package cancels its shipment; a cancellation that overtook ready_to_ship books nothing', async () => {
    const o = await w.readyOrder('simcarrier');
    const [s] = await booked(o.orderId);
    await w.ok(w.adminCall('POST', `/admin/fulfillments/${o.fulfillmentId}/cancel`));
    const [c] = await w.waitShipments(
      o.orderId,
      'shipment cancelled with its package',
      (x) => x[0]?.status === 'cancelled' && x[0].carrierCancel?.state === 'done',
    );
    expect(c!.events.at(-1)).toMatchObject({ status: 'cancelled', note: 'Package cancelled' });
    expect(c!.id).toBe(s!.id);

    // G6: the package's cancellation arrives before its ready_to_ship (a redelivery reordered them).
    const packageId = newId();
    const facts = {
      packageId,
      fulfillmentId: o.fulfillmentId,
      orderId: o.orderId,
      warehouseId: newId(),
      weightGrams: 100,
      carrier: 'simcarrier',
      occurredAt: new Date().toISOString(),
    };
    const envelope = (oldStatus: 'packed' | 'ready_to_ship', newStatus: 'ready_to_ship' | 'cancelled') =>
      buildEnvelope('fulfillment.package_status_changed', packageId, { ...facts, oldStatus, newStatus });
    await redeliver([envelope('ready_to_ship', 'cancelled'), envelope('packed', 'ready_to_ship')]);
    const late = (await w.shipments(o.orderId)).filter((x) => x.packageId === packageId);
    expect(late).toEqual([
      expect.objectContaining({ status: 'cancelled', trackingNumber: null, events: [] }),
    ]);
    expect(await w.runJob('shipment-booking')).toBe(0);
    expect(await w.published(`envelope->'data'->>'packageId' = '${packageId}'`)).toEqual([]);
  });

  it('lists filter by status with a cursor', async () => {
    const o = await w.readyOrder('simcarrier', [100, 100, 100]);
    const all = await booked(o.orderId, 3);
    const page1 = await w.ok(w.adminCall('GET', `/admin/shipments?orderId=${o.orderId}&limit=2`));
    expect(page1.items).toHaveLength(2);
    const page2 = await w.ok(
      w.adminCall('GET', `/admin/shipments?orderId=${o.orderId}&limit=2&cursor=${page1.nextCursor}`),
    );
    expect(page2.nextCursor).toBeNull();
    expect([...page1.items, ...page2.items].map((x: Shipment) => x.id)).toEqual(
      all.map((x) => x.id).reverse(),
    );
    const filtered = await w.ok(
      w.adminCall('GET', `/admin/shipments?orderId=${o.orderId}&status=in_transit`),
    );
    expect(filtered.items).toEqual([]);
    expect((await w.adminCall('GET', '/admin/shipments?cursor=nope')).statusCode).toBe(400);
    expect((await w.adminCall('GET', '/admin/shipments?status=lost')).statusCode).toBe(400);
  });
});
