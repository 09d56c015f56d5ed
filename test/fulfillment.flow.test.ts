import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { createStaff } from './auth.fixtures.js';
import { bearer, loginAs, TEST_DATABASES, type TestPlatform } from './harness.js';
import { deliver } from './lifecycle.fixtures.js';
import {
  DELIVERY_SERVICES,
  type FulfillmentBody,
  type OrderWorld,
  startOrderWorld,
} from './order.fixtures.js';

type Fulfillment = FulfillmentBody;
interface Published {
  topic: string;
  key: string;
  data: Record<string, unknown>;
}

/**
 * Fulfillment through HTTP and events with every real service (docs/order-lifecycle.md
 * "Fulfillment"): card orders confirmed by capture create one fulfillment per warehouse
 * (FUL-P0-01, idempotent under redelivery), batch picklists all-or-nothing (FUL-P0-05), pick →
 * pack → ready with their events, the status matrix over HTTP (FUL-P0-02), cancellation with the
 * order, staff access, and the SLA breach detector.
 */
describe.each(TEST_DATABASES)('fulfillment on %s', (kind) => {
  let platform: TestPlatform;
  let admin: Record<string, string>;
  let west: string;
  let east: string;
  const A = 'FUL-A';
  const B = 'FUL-B';

  // The shared order world (test/order.fixtures.ts) with fulfillment and shipping running.
  let w: OrderWorld;
  const inject: OrderWorld['inject'] = (...args) => w.inject(...args);
  const adminCall: OrderWorld['adminCall'] = (...args) => w.adminCall(...args);
  const ok: OrderWorld['ok'] = (res) => w.ok(res);
  const rows = <T>(text: string) => w.sql<T>(text);
  const warehouse = (code: string, lat: number, lng: number) => w.warehouse(code, lat, lng);
  const product = (sku: string, warehouseId: string) => w.product(sku, '1200', 1000, warehouseId);
  /** A guest card order through the real checkout; capture confirms it (docs/order-lifecycle.md). */
  const confirmedOrder = async (items: [string, number][]) => {
    const o = await w.confirmedOrder(items);
    return { id: o.id, token: o.token };
  };

  const fulfillmentsOf = async (orderId: string): Promise<Fulfillment[]> =>
    (await ok(adminCall('GET', `/admin/fulfillments?orderId=${orderId}`))).items;

  const created = (orderId: string, count: number): Promise<Fulfillment[]> => w.fulfillments(orderId, count);

  async function published(where: string): Promise<Published[]> {
    const out = await rows<{ topic: string; key: string; envelope: EventEnvelope }>(
      `SELECT topic, key, envelope FROM fulfillment.outbox WHERE ${where} ORDER BY created_at, id`,
    );
    return out.map((r) => ({ topic: r.topic, key: r.key, data: r.envelope.data as Record<string, unknown> }));
  }

  beforeAll(async () => {
    w = await startOrderWorld(kind, {}, DELIVERY_SERVICES);
    platform = w.platform;
    admin = w.admin;
    west = await warehouse('W', 37.8, -122.3);
    east = await warehouse('E', 40.7, -74.0);
    await product(A, west);
    await product(B, east);
  });
  afterAll(() => w?.close());

  it('a two-warehouse order gets one fulfillment per warehouse, also when the events are delivered again', async () => {
    const o = await confirmedOrder([
      [A, 2],
      [B, 1],
    ]);
    const list = await created(o.id, 2);
    expect(new Map(list.map((f) => [f.warehouseId, [f.status, f.items]]))).toEqual(
      new Map([
        [west, ['pending', [{ sku: A, quantity: 2 }]]],
        [east, ['pending', [{ sku: B, quantity: 1 }]]],
      ]),
    );
    const announced = await published(`key = '${o.id}'`);
    expect(announced.map((e) => [e.data.warehouseId, e.data.oldStatus, e.data.newStatus])).toEqual(
      expect.arrayContaining([
        [west, null, 'pending'],
        [east, null, 'pending'],
      ]),
    );

    // G4/G6: the order's events again with fresh ids (twice), then once more with the applied
    // sequence forgotten, so the ON CONFLICT (order_id, warehouse_id) path itself is exercised.
    const envelopes = (
      await rows<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM "order".outbox WHERE key = '${o.id}' AND topic = 'orders.order.status_changed'`,
      )
    ).map((r) => r.envelope);
    const replay = [...envelopes, ...envelopes].map((e) => ({ ...e, id: newId() }));
    await deliver(platform, 'fulfillment', replay);
    await rows(`DELETE FROM fulfillment.order_sequences WHERE order_id = '${o.id}'`);
    await deliver(
      platform,
      'fulfillment',
      envelopes.map((e) => ({ ...e, id: newId() })),
    );
    expect((await fulfillmentsOf(o.id)).map((f) => f.id).sort()).toEqual(list.map((f) => f.id).sort());
    expect(await published(`key = '${o.id}'`)).toHaveLength(announced.length);
  });

  it('batch picklist: all pending move to picking in one transaction, or none (409 naming the others)', async () => {
    const [f1] = await created((await confirmedOrder([[A, 1]])).id, 1);
    const [f2] = await created((await confirmedOrder([[A, 1]])).id, 1);
    const [f3] = await created((await confirmedOrder([[A, 1]])).id, 1);
    const res = await adminCall('POST', '/admin/picklists', { fulfillmentIds: [f1!.id, f2!.id] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'picking' });
    expect(res.json().fulfillmentIds.sort()).toEqual([f1!.id, f2!.id].sort());
    for (const f of [f1!, f2!]) expect((await fulfillmentsOf(f.orderId))[0]!.status).toBe('picking');

    // f3 is pending but f1 is not: nothing moves, the answer names f1 only.
    const refused = await adminCall('POST', '/admin/picklists', { fulfillmentIds: [f3!.id, f1!.id] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('fulfillments_not_pending');
    expect(refused.json().detail).toContain(f1!.id);
    expect(refused.json().detail).not.toContain(f3!.id);
    expect((await fulfillmentsOf(f3!.orderId))[0]!.status).toBe('pending');
    expect(await rows(`SELECT 1 FROM fulfillment.picklist_items WHERE fulfillment_id = '${f3!.id}'`)).toEqual(
      [],
    );

    const unknown = await adminCall('POST', '/admin/picklists', { fulfillmentIds: [f3!.id, newId()] });
    expect(unknown.statusCode).toBe(404);
    expect((await adminCall('POST', '/admin/picklists', { fulfillmentIds: [] })).statusCode).toBe(400);
  });

  it('two picklists racing for one fulfillment: exactly one wins, the other is 409', async () => {
    const [f] = await created((await confirmedOrder([[A, 1]])).id, 1);
    const results = await Promise.all(
      [0, 1].map(() => adminCall('POST', '/admin/picklists', { fulfillmentIds: [f!.id] })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(
      await rows(`SELECT 1 FROM fulfillment.picklist_items WHERE fulfillment_id = '${f!.id}'`),
    ).toHaveLength(1);
    const picking = await published(`key = '${f!.orderId}' AND envelope->'data'->>'newStatus' = 'picking'`);
    expect(picking).toHaveLength(1);
  });

  it('pick → pack → ready publishes every status change and one ready_to_ship per package', async () => {
    const o = await confirmedOrder([
      [A, 1],
      [B, 2],
    ]);
    const [first, second] = await created(o.id, 2);
    await ok(adminCall('POST', '/admin/picklists', { fulfillmentIds: [first!.id, second!.id] }));
    await ok(adminCall('POST', `/admin/fulfillments/${first!.id}/pick`));
    const packed = await ok(
      adminCall('POST', `/admin/fulfillments/${first!.id}/pack`, {
        packages: [{ weightGrams: 900, lengthMm: 300, widthMm: 200, heightMm: 100 }, { weightGrams: 450 }],
      }),
    );
    expect(packed).toMatchObject({ status: 'packed' });
    expect(
      packed.packages.map((p: Fulfillment['packages'][number]) => [p.status, p.weightGrams]).sort(),
    ).toEqual([
      ['packed', 450],
      ['packed', 900],
    ]);
    const ready = await ok(adminCall('POST', `/admin/fulfillments/${first!.id}/ready`));
    expect(ready.status).toBe('ready_to_ship');
    expect(ready.packages.every((p: { status: string }) => p.status === 'ready_to_ship')).toBe(true);

    const moves = (await published(`key = '${o.id}'`))
      .filter((e) => e.data.fulfillmentId === first!.id)
      .map((e) => [e.data.oldStatus, e.data.newStatus, e.data.allReachedStatus]);
    // Both were created pending and picked in one picklist; past picking the other warehouse's
    // fulfillment lags behind, so nothing from there on is order-wide.
    expect(moves.map(([from, to]) => [from, to])).toEqual([
      [null, 'pending'],
      ['pending', 'picking'],
      ['picking', 'picked'],
      ['picked', 'packing'],
      ['packing', 'packed'],
      ['packed', 'ready_to_ship'],
    ]);
    expect(moves.slice(2).map((m) => m[2])).toEqual([false, false, false, false]);
    const packages = await published(
      `topic = 'fulfillment.package_status_changed' AND envelope->'data'->>'fulfillmentId' = '${first!.id}'`,
    );
    expect(
      packages
        .map((e) => [e.key, e.data.oldStatus, e.data.newStatus, e.data.orderId, e.data.warehouseId])
        .sort(),
    ).toEqual(
      ready.packages
        .map((p: { id: string }) => [p.id, 'packed', 'ready_to_ship', o.id, first!.warehouseId])
        .sort(),
    );

    // The second warehouse catching up makes `picked` order-wide.
    await ok(adminCall('POST', `/admin/fulfillments/${second!.id}/pick`));
    const last = (await published(`key = '${o.id}'`)).at(-1)!;
    expect(last.data).toMatchObject({
      fulfillmentId: second!.id,
      newStatus: 'picked',
      allReachedStatus: true,
    });
    const picklist = await rows<{ status: string }>(
      `SELECT p.status FROM fulfillment.picklists p JOIN fulfillment.picklist_items i ON i.picklist_id = p.id WHERE i.fulfillment_id = '${second!.id}'`,
    );
    expect(picklist).toEqual([{ status: 'picked' }]);
  });

  it('moves outside the status matrix are 409 invalid_transition and change nothing', async () => {
    const o = await confirmedOrder([[A, 1]]);
    const [f] = await created(o.id, 1);
    const call = (action: string, body?: unknown) =>
      adminCall('POST', `/admin/fulfillments/${f!.id}/${action}`, body);
    const pack = { packages: [{ weightGrams: 100 }] };
    for (const [action, body] of [['pick'], ['pack', pack], ['ready']] as const) {
      const res = await call(action, body);
      expect(res.statusCode, `${action} on pending`).toBe(409);
      expect(res.json().code).toBe('invalid_transition');
    }
    expect((await call('pack', { packages: [{ weightGrams: 0 }] })).statusCode).toBe(400);
    expect((await adminCall('POST', `/admin/fulfillments/${newId()}/pick`)).statusCode).toBe(404);
    expect((await fulfillmentsOf(o.id))[0]!.status).toBe('pending');
    expect((await call('cancel')).json().status).toBe('cancelled');
    const again = await call('cancel');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invalid_transition');
  });

  it('a cancelled order cancels its fulfillments that have not shipped', async () => {
    const o = await confirmedOrder([
      [A, 1],
      [B, 1],
    ]);
    const [first] = await created(o.id, 2);
    await ok(adminCall('POST', '/admin/picklists', { fulfillmentIds: [first!.id] }));
    const cancelled = await adminCall('POST', `/orders/${o.id}/cancel`, { reason: 'fraud check' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await waitFor(
      async () => (await fulfillmentsOf(o.id)).every((f) => f.status === 'cancelled'),
      'fulfillments cancelled',
      10_000,
    );
    const last = (await published(`key = '${o.id}'`)).filter((e) => e.data.newStatus === 'cancelled');
    expect(last.map((e) => e.data.allReachedStatus).sort()).toEqual([false, true]);
    const picklist = await rows<{ status: string }>(
      `SELECT p.status FROM fulfillment.picklists p JOIN fulfillment.picklist_items i ON i.picklist_id = p.id WHERE i.fulfillment_id = '${first!.id}'`,
    );
    expect(picklist).toEqual([{ status: 'cancelled' }]);
  });

  it('shippers use the routes; support staff get 403 and anonymous callers 401', async () => {
    const o = await confirmedOrder([[A, 1]]);
    const [f] = await created(o.id, 1);
    const adminToken = admin.authorization!.slice('Bearer '.length);
    const shipper = await createStaff(platform.app, adminToken, { type: 'shipper' });
    const support = await createStaff(platform.app, adminToken, { type: 'admin', roles: ['support'] });
    const shipperH = bearer(
      (await loginAs(platform.app, shipper.email, shipper.password, 'shipper')).accessToken,
    );
    const supportH = bearer(
      (await loginAs(platform.app, support.email, support.password, 'admin')).accessToken,
    );

    const list = await inject('GET', `/admin/fulfillments?orderId=${o.id}`, undefined, shipperH);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: Fulfillment) => i.id)).toEqual([f!.id]);
    expect((await inject('POST', '/admin/picklists', { fulfillmentIds: [f!.id] }, shipperH)).statusCode).toBe(
      201,
    );
    expect((await inject('POST', `/admin/fulfillments/${f!.id}/pick`, undefined, shipperH)).statusCode).toBe(
      200,
    );

    expect((await inject('GET', '/admin/fulfillments', undefined, supportH)).statusCode).toBe(403);
    expect(
      (await inject('POST', `/admin/fulfillments/${f!.id}/cancel`, undefined, supportH)).statusCode,
    ).toBe(403);
    expect((await inject('GET', '/admin/fulfillments')).statusCode).toBe(401);
    expect((await inject('POST', `/admin/fulfillments/${f!.id}/cancel`)).statusCode).toBe(401);
    expect((await fulfillmentsOf(o.id))[0]!.status).toBe('picked');
  });

  it('lists filter by status and warehouse with a cursor', async () => {
    const o = await confirmedOrder([
      [A, 1],
      [B, 1],
    ]);
    await created(o.id, 2);
    const east1 = await ok(
      adminCall('GET', `/admin/fulfillments?orderId=${o.id}&warehouseId=${east}&status=pending`),
    );
    expect(east1.items.map((f: Fulfillment) => f.warehouseId)).toEqual([east]);
    const page1 = await ok(adminCall('GET', `/admin/fulfillments?warehouseId=${west}&limit=1`));
    expect(page1.items).toHaveLength(1);
    const page2 = await ok(
      adminCall('GET', `/admin/fulfillments?warehouseId=${west}&limit=1&cursor=${page1.nextCursor}`),
    );
    expect(page2.items[0].id < page1.items[0].id).toBe(true);
    expect((await adminCall('GET', '/admin/fulfillments?cursor=nope')).statusCode).toBe(400);
  });

  it('SLA breach detector reports an overdue active fulfillment once', async () => {
    const o = await confirmedOrder([[A, 1]]);
    const [f] = await created(o.id, 1);
    await rows(
      `UPDATE fulfillment.fulfillments SET sla_due_at = now() - interval '1 hour' WHERE id = '${f!.id}'`,
    );
    const scheduler = platform.orderline.eventing.scheduler('fulfillment')!;
    for (let i = 0; i < 2; i++)
      expect(await scheduler.runNow('sla-breach')).toMatchObject({ ran: true, status: 'succeeded' });
    const breaches = await published(`topic = 'fulfillments.fulfillment.sla_breach' AND key = '${f!.id}'`);
    expect(breaches).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ fulfillmentId: f!.id, orderId: o.id, warehouseId: west }),
      }),
    ]);
  });
});
