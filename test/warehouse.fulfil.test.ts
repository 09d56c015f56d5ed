import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { TEST_DATABASES } from './harness.js';
import {
  BERLIN,
  MADRID,
  NEAR_BERLIN,
  startWarehouseWorld,
  type WarehouseWorld,
} from './warehouse.fixtures.js';

/**
 * WH-P0-02 per warehouse: fulfillment ships (or cancels) one warehouse of an order at a time, and
 * the warehouse deducts exactly that warehouse's units once, from `fulfillments.fulfillment.
 * status_changed` delivered through the bus to the real consumer. A release after a partial
 * shipment gives back only what did not ship; returns are restocked to the warehouse they name,
 * once per reference; the reconciliation job agrees with all of it.
 */
describe.each(TEST_DATABASES)('warehouse settlement per warehouse (%s)', (kind) => {
  let w: WarehouseWorld;
  let berlin: string;
  let madrid: string;
  // X is stocked only in Berlin, Y only in Madrid: an order of both is split across the two.
  const X = 'SETTLE-X';
  const Y = 'SETTLE-Y';

  beforeAll(async () => {
    w = await startWarehouseWorld(kind, {
      // The "not confirmed yet" retry comes back quickly instead of after a second.
      CONSUMER_RETRY_DELAYS_MS: '10,10',
      CONSUMER_REDELIVERY_BASE_MS: '50',
      CONSUMER_REDELIVERY_MAX_MS: '100',
    });
    berlin = await w.warehouse('SET-BER', BERLIN);
    madrid = await w.warehouse('SET-MAD', MADRID);
    await w.product(X);
    await w.product(Y);
    await w.setStock(berlin, X, 100);
    await w.setStock(madrid, Y, 100);
  });
  afterAll(() => w?.close());

  const stock = async () => {
    const rows = await w.sql<{ warehouse_id: string; sku: string; on_hand: number; reserved: number }>(
      `SELECT warehouse_id, sku, on_hand, reserved FROM warehouse.stock WHERE sku IN ('${X}', '${Y}') AND on_hand > 0`,
    );
    const at = (warehouseId: string, sku: string) => {
      const r = rows.find((x) => x.warehouse_id === warehouseId && x.sku === sku)!;
      return { onHand: r.on_hand, reserved: r.reserved };
    };
    return { x: at(berlin, X), y: at(madrid, Y) };
  };
  const status = async (id: string) => (await w.client.getReservation(id))!.status;
  const settlements = async (id: string) =>
    new Map(
      (
        await w.sql<{ warehouse_id: string; settled: string | null }>(
          `SELECT warehouse_id, settled FROM warehouse.reservation_items WHERE reservation_id = '${id}'`,
        )
      ).map((r) => [r.warehouse_id, r.settled]),
    );
  const ledger = async (reference: string) =>
    w.sql<{ reason: string; warehouse_id: string; d_on: number; d_res: number }>(
      `SELECT reason, warehouse_id, sum(delta_on_hand)::int AS d_on, sum(delta_reserved)::int AS d_res
       FROM warehouse.inventory_ledger WHERE reference = '${reference}' GROUP BY reason, warehouse_id ORDER BY reason, d_on`,
    );

  /** A confirmed reservation of `x` units of X (Berlin) and `y` of Y (Madrid) for a new order. */
  async function splitOrder(x: number, y: number, confirm = true) {
    const orderId = newId();
    const r = await w.client.reserve(w.ctx, {
      reference: newId(),
      orderId,
      items: [
        { sku: X, quantity: x },
        { sku: Y, quantity: y },
      ],
      shipTo: { country: 'DE', postalCode: '10115', location: NEAR_BERLIN },
      ttlSeconds: 600,
    });
    if (!r.ok) throw new Error('reservation failed');
    expect(new Set(r.allocations.map((a) => a.warehouseId))).toEqual(new Set([berlin, madrid]));
    if (confirm) await w.client.confirm(w.ctx, r.reservationId);
    return { orderId, id: r.reservationId };
  }

  /** The fulfillment event of one warehouse of the order, as fulfillment publishes it. */
  const fulfillmentEvent = (
    orderId: string,
    warehouseId: string,
    newStatus: 'shipped' | 'cancelled' | 'packed',
  ) =>
    buildEnvelope('fulfillments.fulfillment.status_changed', orderId, {
      fulfillmentId: newId(),
      orderId,
      warehouseId,
      oldStatus: newStatus === 'shipped' ? 'ready_to_ship' : 'packing',
      newStatus,
      items: [{ sku: warehouseId === berlin ? X : Y, quantity: 1 }],
      allReachedStatus: false,
      occurredAt: new Date().toISOString(),
    });
  /** Delivers through the bus; resolves once the warehouse's consumer settled it. */
  const deliver = (e: ReturnType<typeof fulfillmentEvent>) =>
    w.platform.orderline.eventing.bus().publish([e]);

  it('shipping from one warehouse deducts only its units, once; the other warehouse then fulfils the reservation', async () => {
    const before = await stock();
    const o = await splitOrder(2, 3);
    expect(await stock()).toEqual({
      x: { onHand: before.x.onHand, reserved: before.x.reserved + 2 },
      y: { onHand: before.y.onHand, reserved: before.y.reserved + 3 },
    });

    await deliver(fulfillmentEvent(o.orderId, berlin, 'packed'));
    await deliver(fulfillmentEvent(o.orderId, berlin, 'shipped'));
    const afterBerlin = {
      x: { onHand: before.x.onHand - 2, reserved: before.x.reserved },
      y: { onHand: before.y.onHand, reserved: before.y.reserved + 3 },
    };
    expect(await stock()).toEqual(afterBerlin);
    expect(await status(o.id)).toBe('confirmed');
    expect(await settlements(o.id)).toEqual(
      new Map([
        [berlin, 'fulfilled'],
        [madrid, null],
      ]),
    );

    // The same shipment again (a fresh event id, so the handler really runs): nothing more.
    await deliver(fulfillmentEvent(o.orderId, berlin, 'shipped'));
    expect(await stock()).toEqual(afterBerlin);

    await deliver(fulfillmentEvent(o.orderId, madrid, 'shipped'));
    expect(await stock()).toEqual({
      x: { onHand: before.x.onHand - 2, reserved: before.x.reserved },
      y: { onHand: before.y.onHand - 3, reserved: before.y.reserved },
    });
    expect(await status(o.id)).toBe('fulfilled');
    // Whole-reservation fulfil afterwards is the no-op it always was; a release is refused.
    await w.client.fulfil(w.ctx, o.id);
    await expect(w.client.release(w.ctx, o.id, 'late')).rejects.toMatchObject({ code: 'invalid_transition' });
    expect(await ledger(o.id)).toEqual([
      { reason: 'fulfil', warehouse_id: madrid, d_on: -3, d_res: -3 },
      { reason: 'fulfil', warehouse_id: berlin, d_on: -2, d_res: -2 },
      { reason: 'reserve', warehouse_id: berlin, d_on: 0, d_res: 2 },
      { reason: 'reserve', warehouse_id: madrid, d_on: 0, d_res: 3 },
    ]);
  });

  it('a shipment seen before the confirmation is retried, then deducted once', async () => {
    const before = await stock();
    const o = await splitOrder(1, 1, false);
    const event = fulfillmentEvent(o.orderId, berlin, 'shipped');
    const delivered = deliver(event);
    await waitFor(
      async () =>
        (await w.sql(`SELECT 1 FROM warehouse.consumer_failures WHERE event_id = '${event.id}'`)).length > 0,
      'first delivery failed',
    );
    expect((await stock()).x).toEqual({ onHand: before.x.onHand, reserved: before.x.reserved + 1 });
    await w.client.confirm(w.ctx, o.id);
    await delivered;
    expect((await stock()).x).toEqual({ onHand: before.x.onHand - 1, reserved: before.x.reserved });
    expect(await w.sql(`SELECT 1 FROM warehouse.dead_letters WHERE event_id = '${event.id}'`)).toEqual([]);
  });

  it('a release after a partial shipment gives back only the units that did not ship', async () => {
    const before = await stock();
    const o = await splitOrder(4, 5);
    const capacity = async () =>
      new Map(
        (
          await w.sql<{ warehouse_id: string; units: number }>(
            `SELECT warehouse_id, units FROM warehouse.capacity_usage WHERE warehouse_id IN ('${berlin}', '${madrid}')`,
          )
        ).map((r) => [r.warehouse_id, r.units]),
      );
    const capacityBefore = await capacity();
    await deliver(fulfillmentEvent(o.orderId, berlin, 'shipped'));
    await w.client.release(w.ctx, o.id, 'order cancelled');
    await w.client.release(w.ctx, o.id, 'order cancelled');
    expect(await stock()).toEqual({
      x: { onHand: before.x.onHand - 4, reserved: before.x.reserved },
      y: { onHand: before.y.onHand, reserved: before.y.reserved },
    });
    expect(await status(o.id)).toBe('released');
    expect(await settlements(o.id)).toEqual(
      new Map([
        [berlin, 'fulfilled'],
        [madrid, 'released'],
      ]),
    );
    // Madrid's capacity for the day comes back; Berlin's units did go out.
    const capacityAfter = await capacity();
    expect(capacityAfter.get(berlin)).toBe(capacityBefore.get(berlin));
    expect(capacityAfter.get(madrid)).toBe(capacityBefore.get(madrid)! - 5);
    // A late shipment event of Berlin changes nothing either.
    await deliver(fulfillmentEvent(o.orderId, berlin, 'shipped'));
    expect((await stock()).x.onHand).toBe(before.x.onHand - 4);
  });

  it('a cancelled fulfillment gives back its warehouse only; all cancelled releases the reservation', async () => {
    const before = await stock();
    const partly = await splitOrder(1, 2);
    await deliver(fulfillmentEvent(partly.orderId, berlin, 'cancelled'));
    await deliver(fulfillmentEvent(partly.orderId, berlin, 'cancelled'));
    expect(await stock()).toEqual({
      x: before.x,
      y: { onHand: before.y.onHand, reserved: before.y.reserved + 2 },
    });
    expect(await status(partly.id)).toBe('confirmed');
    await deliver(fulfillmentEvent(partly.orderId, madrid, 'shipped'));
    expect(await status(partly.id)).toBe('fulfilled');
    expect(await stock()).toEqual({
      x: before.x,
      y: { onHand: before.y.onHand - 2, reserved: before.y.reserved },
    });

    const none = await splitOrder(1, 1);
    await deliver(fulfillmentEvent(none.orderId, berlin, 'cancelled'));
    await deliver(fulfillmentEvent(none.orderId, madrid, 'cancelled'));
    expect(await status(none.id)).toBe('released');
    expect(await ledger(none.id)).toEqual([
      { reason: 'release', warehouse_id: berlin, d_on: 0, d_res: -1 },
      { reason: 'release', warehouse_id: madrid, d_on: 0, d_res: -1 },
      { reason: 'reserve', warehouse_id: berlin, d_on: 0, d_res: 1 },
      { reason: 'reserve', warehouse_id: madrid, d_on: 0, d_res: 1 },
    ]);
  });

  it('restocks returns to the warehouse named, once per reference', async () => {
    const before = await stock();
    const reference = `return:${newId()}`;
    const request = { reference, items: [{ warehouseId: madrid, sku: X.toLowerCase(), quantity: 2 }] };
    await w.client.restock(w.ctx, request);
    await w.client.restock(w.ctx, request);
    await Promise.all([w.client.restock(w.ctx, request), w.client.restock(w.ctx, request)]);
    const madridX = await w.sql<{ on_hand: number }>(
      `SELECT on_hand FROM warehouse.stock WHERE warehouse_id = '${madrid}' AND sku = '${X}'`,
    );
    expect(madridX).toEqual([{ on_hand: 2 }]);
    expect(await stock()).toEqual(before);
    expect(await ledger(reference)).toEqual([{ reason: 'restock', warehouse_id: madrid, d_on: 2, d_res: 0 }]);

    await expect(
      w.client.restock(w.ctx, { reference, items: [{ warehouseId: madrid, sku: X, quantity: 3 }] }),
    ).rejects.toMatchObject({ code: 'restock_reference_reused' });
    const other = `return:${newId()}`;
    await expect(
      w.client.restock(w.ctx, {
        reference: other,
        items: [
          { warehouseId: berlin, sku: X, quantity: 1 },
          { warehouseId: newId(), sku: X, quantity: 1 },
        ],
      }),
    ).rejects.toMatchObject({ kind: 'unprocessable', code: 'unknown_warehouse' });
    await expect(w.client.restock(w.ctx, { reference: '', items: [] })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(await stock()).toEqual(before);
    expect(await w.sql(`SELECT 1 FROM warehouse.restocks WHERE reference = '${other}'`)).toEqual([]);
  });

  it('reconciliation finds no drift after partial shipments, releases and restocks', async () => {
    // One reservation left half shipped, so a "live reserved" that counted settled items would drift.
    const half = await splitOrder(3, 1);
    await deliver(fulfillmentEvent(half.orderId, berlin, 'shipped'));
    expect(await status(half.id)).toBe('confirmed');
    expect(
      await w.platform.orderline.eventing.scheduler('warehouse')!.runNow('stock-reconciliation'),
    ).toMatchObject({ ran: true, status: 'succeeded', items: 0 });
    expect(await w.sql(`SELECT 1 FROM warehouse.inventory_ledger WHERE reason = 'reconciliation'`)).toEqual(
      [],
    );
  });
});
