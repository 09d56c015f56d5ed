import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { systemClock } from '../src/platform/clock.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import type { FulfillmentDB } from '../src/services/fulfillment/data/tables.js';
import { autoCompleteJob } from '../src/services/fulfillment/jobs/auto-complete.job.js';
import { TEST_DATABASES, type TestPlatform } from './harness.js';
import { DELIVERY_SERVICES, type OrderWorld, startOrderWorld } from './order.fixtures.js';

interface Pkg {
  id: string;
  status: string;
  shippedAt: string | null;
  deliveredAt: string | null;
}
interface Fulfillment {
  id: string;
  orderId: string;
  warehouseId: string;
  status: string;
  carrier: string | null;
  shippedAt: string | null;
  completedAt: string | null;
  packages: Pkg[];
}
interface Published {
  topic: string;
  key: string;
  data: Record<string, unknown>;
}
type ShipmentStatus = 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered';

const NEVER = '0 0 1 1 *';

/** Deterministic shuffle (mulberry32) so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * Fulfillment after ready_to_ship (docs/order-lifecycle.md "Fulfillment"): contract-valid shipment
 * events delivered through the bus to the real consumers ship packages and fulfillments (only when
 * all their packages did), deliveries complete them (also when the in-transit event never came),
 * duplicates and any arrival order converge on the same state, the warehouse deducts what shipped,
 * and the auto-complete job completes old shipped fulfillments once.
 */
describe.each(TEST_DATABASES)('fulfillment shipping on %s', (kind) => {
  let platform: TestPlatform;
  let _admin: Record<string, string>;
  let west: string;
  let east: string;
  const A = 'FSH-A';
  const B = 'FSH-B';

  // The shared order world (test/order.fixtures.ts) with fulfillment and shipping running.
  let w: OrderWorld;
  const _inject: OrderWorld['inject'] = (...args) => w.inject(...args);
  const adminCall: OrderWorld['adminCall'] = (...args) => w.adminCall(...args);
  const ok: OrderWorld['ok'] = (res) => w.ok(res);
  const rows = <T>(text: string) => w.sql<T>(text);
  const warehouse = (code: string, lat: number, lng: number) => w.warehouse(code, lat, lng);
  const product = (sku: string, warehouseId: string) => w.product(sku, '1200', 1000, warehouseId);
  /** A guest card order through the real checkout, confirmed by its capture. */
  const confirmedOrder = async (items: [string, number][]) => (await w.confirmedOrder(items)).id;

  const fulfillmentsOf = async (orderId: string): Promise<Fulfillment[]> =>
    (await ok(adminCall('GET', `/admin/fulfillments?orderId=${orderId}`))).items;

  /**
   * A confirmed order whose fulfillments are taken to ready_to_ship through the admin API, with
   * `packages` packages each; sorted west first.
   */
  async function readyOrder(items: [string, number][], packages = 1): Promise<Fulfillment[]> {
    const orderId = await confirmedOrder(items);
    const warehouses = new Set(items.map(([sku]) => (sku === A ? west : east)));
    const list = await w.fulfillments(orderId, warehouses.size);
    await w.readyToShip(
      list.map((f) => f.id),
      Array.from({ length: packages }, (_, i) => 300 + i),
    );
    return (await fulfillmentsOf(orderId)).sort((a, b) =>
      a.warehouseId === west ? -1 : b.warehouseId === west ? 1 : 0,
    );
  }

  const shipmentIds = new Map<string, string>();
  const versions = new Map<string, number>();
  /** A shipping event for the package's shipment, as the shipping service would publish it. */
  function shipmentEvent(
    f: Fulfillment,
    pkg: Pkg,
    status: ShipmentStatus,
    topic: 'status' | 'delivered' = 'status',
  ) {
    const shipmentId = shipmentIds.get(pkg.id) ?? newId();
    shipmentIds.set(pkg.id, shipmentId);
    const version = (versions.get(pkg.id) ?? 0) + 1;
    versions.set(pkg.id, version);
    const base = {
      shipmentId,
      orderId: f.orderId,
      fulfillmentId: f.id,
      packageId: pkg.id,
      carrierCode: 'simcarrier',
      trackingNumber: `SIM${pkg.id.slice(-8)}`,
      version,
      occurredAt: new Date().toISOString(),
    };
    return topic === 'delivered'
      ? buildEnvelope('shipping.shipment.delivered', f.orderId, { ...base, allShipmentsDelivered: false })
      : buildEnvelope('shipping.shipment.status_changed', f.orderId, {
          ...base,
          oldStatus: null,
          newStatus: status,
        });
  }

  /**
   * Hands the events to the bus in this order and waits until fulfillment applied (or
   * dead-lettered) each. Not awaiting the bus itself: it also waits for every other service's
   * consumer of these topics, which is not what is tested here.
   */
  async function deliver(...events: EventEnvelope[]) {
    const bus = platform.orderline.eventing.bus();
    for (const e of events) void bus.publish([e]).catch(() => undefined);
    const ids = events.map((e) => `'${e.id}'`).join(',');
    await waitFor(
      async () =>
        (
          await rows(
            `SELECT event_id::text FROM fulfillment.processed_events WHERE event_id IN (${ids})
             UNION SELECT event_id::text FROM fulfillment.dead_letters WHERE event_id IN (${ids})`,
          )
        ).length === new Set(events.map((e) => e.id)).size,
      'shipment events applied',
      10_000,
    );
  }

  async function published(where: string): Promise<Published[]> {
    const out = await rows<{ topic: string; key: string; envelope: EventEnvelope }>(
      `SELECT topic, key, envelope FROM fulfillment.outbox WHERE ${where} ORDER BY created_at, id`,
    );
    return out.map((r) => ({ topic: r.topic, key: r.key, data: r.envelope.data as Record<string, unknown> }));
  }
  const moves = async (f: Fulfillment) =>
    (
      await published(
        `topic = 'fulfillments.fulfillment.status_changed' AND envelope->'data'->>'fulfillmentId' = '${f.id}' AND envelope->'data'->>'newStatus' IN ('shipped', 'completed')`,
      )
    ).map((e) => [e.data.oldStatus, e.data.newStatus, e.data.allReachedStatus]);
  const packageMoves = async (f: Fulfillment) =>
    (
      await published(
        `topic = 'fulfillment.package_status_changed' AND envelope->'data'->>'fulfillmentId' = '${f.id}' AND envelope->'data'->>'newStatus' = 'shipped'`,
      )
    ).map((e) => [e.key, e.data.oldStatus, e.data.newStatus, e.data.carrier]);
  const reload = async (f: Fulfillment) => (await fulfillmentsOf(f.orderId)).find((x) => x.id === f.id)!;

  beforeAll(async () => {
    w = await startOrderWorld(kind, {}, DELIVERY_SERVICES);
    platform = w.platform;
    _admin = w.admin;
    west = await warehouse('W', 37.8, -122.3);
    east = await warehouse('E', 40.7, -74.0);
    await product(A, west);
    await product(B, east);
  });
  afterAll(() => w?.close());

  it('a package ships once the carrier has it; the fulfillment only when all its packages did', async () => {
    const [f] = await readyOrder([[A, 2]], 2);
    const [p1, p2] = f!.packages;
    const [confirmed] = await rows<{ carrier: string | null }>(
      `SELECT envelope->'data'->>'shippingCarrier' AS carrier FROM "order".outbox
       WHERE key = '${f!.orderId}' AND envelope->'data'->>'newStatus' = 'confirmed'`,
    );
    expect(f!.carrier).toEqual(expect.any(String));
    expect(f!.carrier).toBe(confirmed!.carrier);
    const ready = await published(
      `topic = 'fulfillment.package_status_changed' AND envelope->'data'->>'fulfillmentId' = '${f!.id}'`,
    );
    expect(ready.map((e) => e.data.carrier)).toEqual([f!.carrier, f!.carrier]);

    // Not yet with the carrier: nothing moves.
    await deliver(shipmentEvent(f!, p1!, 'label_created'));
    expect((await reload(f!)).packages.map((p) => p.status)).toEqual(['ready_to_ship', 'ready_to_ship']);

    await deliver(shipmentEvent(f!, p1!, 'in_transit'));
    let now = await reload(f!);
    expect(now.status).toBe('ready_to_ship');
    expect(now.packages.find((p) => p.id === p1!.id)).toMatchObject({ status: 'shipped', deliveredAt: null });
    expect(now.packages.find((p) => p.id === p1!.id)!.shippedAt).not.toBeNull();
    expect(await moves(f!)).toEqual([]);
    // A package with the carrier: the fulfillment can no longer be cancelled.
    const cancel = await adminCall('POST', `/admin/fulfillments/${f!.id}/cancel`);
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().code).toBe('fulfillment_partially_shipped');

    await deliver(shipmentEvent(f!, p2!, 'out_for_delivery'));
    now = await reload(f!);
    expect(now.status).toBe('shipped');
    expect(now.shippedAt).not.toBeNull();
    expect(now.packages.map((p) => p.status)).toEqual(['shipped', 'shipped']);
    expect(await moves(f!)).toEqual([['ready_to_ship', 'shipped', true]]);
    expect((await packageMoves(f!)).sort()).toEqual(
      [p1!.id, p2!.id].map((id) => [id, 'ready_to_ship', 'shipped', f!.carrier]).sort(),
    );

    // Repeats (fresh event ids) and a stale earlier status change nothing.
    await deliver(shipmentEvent(f!, p2!, 'in_transit'), shipmentEvent(f!, p1!, 'label_created'));
    expect(await reload(f!)).toEqual(now);
    expect(await moves(f!)).toHaveLength(1);
    expect(await packageMoves(f!)).toHaveLength(2);
    const [client] = await platform.orderline.clients.fulfillment!.forOrder(f!.orderId);
    expect(client).toMatchObject({
      id: f!.id,
      status: 'shipped',
      hasShippedPackages: true,
      completedAt: null,
    });
  });

  it('a two-warehouse order ships each warehouse on its own: allReachedStatus false, then true', async () => {
    const [w, e] = await readyOrder([
      [A, 2],
      [B, 1],
    ]);
    expect([w!.warehouseId, e!.warehouseId]).toEqual([west, east]);
    await deliver(shipmentEvent(w!, w!.packages[0]!, 'in_transit'));
    expect((await reload(w!)).status).toBe('shipped');
    expect((await reload(e!)).status).toBe('ready_to_ship');
    expect(await moves(w!)).toEqual([['ready_to_ship', 'shipped', false]]);

    await deliver(shipmentEvent(e!, e!.packages[0]!, 'in_transit'));
    expect(await moves(e!)).toEqual([['ready_to_ship', 'shipped', true]]);

    // The warehouse deducted what shipped, per warehouse, and the reservation is done.
    await waitFor(
      async () =>
        (
          await rows<{ status: string }>(
            `SELECT status FROM warehouse.reservations WHERE order_id = '${w!.orderId}'`,
          )
        )[0]?.status === 'fulfilled',
      'reservation fulfilled',
      10_000,
    );
    const fulfils = await rows<{ warehouse_id: string; d_on: number; d_res: number }>(
      `SELECT l.warehouse_id, sum(l.delta_on_hand)::int AS d_on, sum(l.delta_reserved)::int AS d_res
       FROM warehouse.inventory_ledger l JOIN warehouse.reservations r ON r.id::text = l.reference
       WHERE r.order_id = '${w!.orderId}' AND l.reason = 'fulfil' GROUP BY l.warehouse_id ORDER BY 2`,
    );
    expect(new Map(fulfils.map((x) => [x.warehouse_id, [x.d_on, x.d_res]]))).toEqual(
      new Map([
        [west, [-2, -2]],
        [east, [-1, -1]],
      ]),
    );
  });

  it('delivered completes the fulfillment; a delivery before any in-transit ships it, then completes it', async () => {
    const [f] = await readyOrder([[A, 1]], 2);
    const [p1, p2] = f!.packages;
    // The first package's in-transit never arrives: its delivery ships it.
    await deliver(shipmentEvent(f!, p1!, 'delivered', 'delivered'));
    let now = await reload(f!);
    expect(now.status).toBe('ready_to_ship');
    expect(now.packages.find((p) => p.id === p1!.id)).toMatchObject({ status: 'shipped' });
    expect(now.packages.find((p) => p.id === p1!.id)!.deliveredAt).not.toBeNull();

    await deliver(shipmentEvent(f!, p2!, 'in_transit'));
    expect((await reload(f!)).status).toBe('shipped');
    await deliver(shipmentEvent(f!, p2!, 'delivered', 'delivered'));
    now = await reload(f!);
    expect(now.status).toBe('completed');
    expect(now.completedAt).not.toBeNull();
    expect(await moves(f!)).toEqual([
      ['ready_to_ship', 'shipped', true],
      ['shipped', 'completed', true],
    ]);

    // A single package delivered with no in-transit at all: shipped, then completed, both announced.
    const [g] = await readyOrder([[A, 1]]);
    await deliver(shipmentEvent(g!, g!.packages[0]!, 'delivered', 'delivered'));
    expect((await reload(g!)).status).toBe('completed');
    expect(await moves(g!)).toEqual([
      ['ready_to_ship', 'shipped', true],
      ['shipped', 'completed', true],
    ]);
    expect(await packageMoves(g!)).toHaveLength(1);
    // The late in-transit and a repeated delivery change nothing.
    const before = await reload(g!);
    await deliver(
      shipmentEvent(g!, g!.packages[0]!, 'in_transit'),
      shipmentEvent(g!, g!.packages[0]!, 'delivered', 'delivered'),
    );
    expect(await reload(g!)).toEqual(before);
    expect(await moves(g!)).toHaveLength(2);
  });

  it('every shipment event duplicated and shuffled leaves the same state as in order', async () => {
    const lifecycle = (f: Fulfillment) =>
      f.packages.flatMap((p) => [
        shipmentEvent(f, p, 'label_created'),
        shipmentEvent(f, p, 'in_transit'),
        shipmentEvent(f, p, 'out_for_delivery'),
        shipmentEvent(f, p, 'delivered'),
        shipmentEvent(f, p, 'delivered', 'delivered'),
      ]);
    const outcome = async (list: Fulfillment[]) =>
      Promise.all(
        list.map(async (f) => {
          const x = await reload(f);
          return {
            status: x.status,
            packages: x.packages.map((p) => [p.status, p.shippedAt !== null, p.deliveredAt !== null]),
            moves: await moves(f),
            packageMoves: (await packageMoves(f)).length,
          };
        }),
      );

    const inOrder = await readyOrder(
      [
        [A, 1],
        [B, 1],
      ],
      2,
    );
    await deliver(...inOrder.flatMap(lifecycle));
    const expected = await outcome(inOrder);
    expect(expected.map((x) => x.status)).toEqual(['completed', 'completed']);

    for (const seed of [7, 2024]) {
      const list = await readyOrder(
        [
          [A, 1],
          [B, 1],
        ],
        2,
      );
      const events = list.flatMap(lifecycle);
      const replay = shuffle([...events, ...events.map((e) => ({ ...e, id: newId() })), ...events], seed);
      await deliver(...replay);
      const got = await outcome(list);
      // allReachedStatus depends on which warehouse got there first; everything else is the same.
      expect(
        got.map(({ moves: m, ...rest }) => ({ ...rest, moves: m.map(([from, to]) => [from, to]) })),
      ).toEqual(
        expected.map(({ moves: m, ...rest }) => ({ ...rest, moves: m.map(([from, to]) => [from, to]) })),
      );
      expect(got.flatMap((x) => x.moves.map((m) => m[2])).filter(Boolean)).toHaveLength(2);
    }
  });

  it('a shipment without a package is ignored; one naming an unknown package is dead-lettered', async () => {
    const [f] = await readyOrder([[A, 1]]);
    const anonymous = buildEnvelope('shipping.shipment.status_changed', f!.orderId, {
      shipmentId: newId(),
      orderId: f!.orderId,
      fulfillmentId: null,
      packageId: null,
      carrierCode: 'manual',
      trackingNumber: null,
      version: 1,
      oldStatus: 'created',
      newStatus: 'in_transit',
      occurredAt: new Date().toISOString(),
    });
    const stranger = shipmentEvent(f!, { ...f!.packages[0]!, id: newId() }, 'in_transit');
    await deliver(anonymous, stranger);
    expect(
      await rows(`SELECT 1 FROM fulfillment.processed_events WHERE event_id = '${anonymous.id}'`),
    ).toHaveLength(1);
    const [dead] = await rows<{ error: string }>(
      `SELECT error FROM fulfillment.dead_letters WHERE event_id = '${stranger.id}'`,
    );
    expect(dead!.error).toContain('unknown here');
    expect((await reload(f!)).status).toBe('ready_to_ship');
  });

  it('auto-complete completes only fulfillments shipped long enough ago, once under two concurrent runs', async () => {
    const shipped = async () => {
      const [f] = await readyOrder([[A, 1]]);
      await deliver(shipmentEvent(f!, f!.packages[0]!, 'in_transit'));
      return f!;
    };
    const old1 = await shipped();
    const old2 = await shipped();
    const recent = await shipped();
    const [notShipped] = await readyOrder([[A, 1]]);
    await rows(
      `UPDATE fulfillment.fulfillments SET shipped_at = now() - interval '8 days'
       WHERE id IN ('${old1.id}', '${old2.id}')`,
    );

    // Two runs at once (pages of one row, so they interleave): each fulfillment completes once.
    const deps = {
      db: platform.orderline.database.root.withSchema('fulfillment') as unknown as Kysely<FulfillmentDB>,
      clock: systemClock,
      slaHours: 48,
      jobBatchSize: 1,
      jobMaxPages: 20,
      autoCompleteDays: 7,
    };
    const job = autoCompleteJob(deps, NEVER);
    const run = () =>
      job.handler({
        tick: new Date(),
        runId: newId(),
        logger: platform.orderline.logger,
        signal: new AbortController().signal,
      });
    const counts = await Promise.all([run(), run()]);
    expect(counts.reduce<number>((n, c) => n + (c as { items: number }).items, 0)).toBe(2);
    // The job as scheduled finds nothing left.
    expect(await platform.orderline.eventing.scheduler('fulfillment')!.runNow('auto-complete')).toMatchObject(
      {
        ran: true,
        status: 'succeeded',
      },
    );

    for (const f of [old1, old2]) {
      expect((await reload(f)).status).toBe('completed');
      expect(await moves(f)).toEqual([
        ['ready_to_ship', 'shipped', true],
        ['shipped', 'completed', true],
      ]);
    }
    expect((await reload(recent)).status).toBe('shipped');
    expect((await reload(notShipped!)).status).toBe('ready_to_ship');
  });
});
