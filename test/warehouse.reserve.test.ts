import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import type { ReserveRequest } from '../src/services/warehouse/contract/client.js';
import { TEST_DATABASES } from './harness.js';
import {
  BERLIN,
  MADRID,
  NEAR_BERLIN,
  startWarehouseWorld,
  type WarehouseWorld,
} from './warehouse.fixtures.js';

/** Reservations through the warehouse client: G1 under concurrency, allocation, lifecycle. */
describe.each(TEST_DATABASES)('warehouse reservations (%s)', (kind) => {
  let w: WarehouseWorld;
  beforeAll(async () => {
    w = await startWarehouseWorld(kind);
  });
  afterAll(() => w.close());

  const request = (
    items: ReserveRequest['items'],
    shipTo: Partial<ReserveRequest['shipTo']> = {},
  ): ReserveRequest => ({
    reference: newId(),
    orderId: newId(),
    items,
    shipTo: { country: 'DE', postalCode: '10115', ...shipTo },
    ttlSeconds: 600,
  });
  const stockOf = async (sku: string) =>
    w.sql<{ warehouse_id: string; on_hand: number; reserved: number }>(
      `SELECT warehouse_id, on_hand, reserved FROM warehouse.stock WHERE sku = '${sku}' AND on_hand > 0`,
    );
  const capacityOf = async (warehouseId: string) =>
    (
      await w.sql<{ units: number }>(
        `SELECT units FROM warehouse.capacity_usage WHERE warehouse_id = '${warehouseId}'`,
      )
    )[0]?.units ?? 0;

  it('G1: 30 parallel reservations of 1 unit of a sku with 5 → exactly 5 succeed', async () => {
    const wh = await w.warehouse('HOT-1', BERLIN);
    await w.product('HOT-SKU');
    await w.setStock(wh, 'HOT-SKU', 5);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => w.client.reserve(w.ctx, request([{ sku: 'HOT-SKU', quantity: 1 }]))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    for (const r of results.filter((x) => !x.ok))
      expect(r).toEqual({
        ok: false,
        reason: 'out_of_stock',
        unavailable: [{ sku: 'HOT-SKU', requested: 1, available: 0 }],
      });
    expect(await stockOf('HOT-SKU')).toEqual([{ warehouse_id: wh, on_hand: 5, reserved: 5 }]);
    const items = await w.sql<{ n: number }>(
      `SELECT sum(quantity)::int AS n FROM warehouse.reservation_items WHERE sku = 'HOT-SKU'`,
    );
    expect(items[0]!.n).toBe(5);
    const ledger = await w.sql<{ n: number }>(
      `SELECT sum(delta_reserved)::int AS n FROM warehouse.inventory_ledger WHERE sku = 'HOT-SKU'`,
    );
    expect(ledger[0]!.n).toBe(5);
    expect((await w.client.availability(['hot-sku'])).get('HOT-SKU')).toBe(0);
  });

  it('allocates from the nearest warehouse and splits when it is short', async () => {
    const berlin = await w.warehouse('NEAR-BER', BERLIN);
    const madrid = await w.warehouse('NEAR-MAD', MADRID);
    await w.product('SPLIT-SKU');
    await w.setStock(berlin, 'SPLIT-SKU', 3);
    await w.setStock(madrid, 'SPLIT-SKU', 10);

    const near = await w.client.reserve(
      w.ctx,
      request([{ sku: 'SPLIT-SKU', quantity: 2 }], { location: NEAR_BERLIN }),
    );
    expect(near).toMatchObject({
      ok: true,
      allocations: [{ sku: 'SPLIT-SKU', warehouseId: berlin, quantity: 2 }],
    });
    const spain = await w.client.reserve(
      w.ctx,
      request([{ sku: 'SPLIT-SKU', quantity: 2 }], { country: 'ES' }),
    );
    expect(spain).toMatchObject({ ok: true, allocations: [{ warehouseId: madrid, quantity: 2 }] });
    const split = await w.client.reserve(
      w.ctx,
      request([{ sku: 'SPLIT-SKU', quantity: 4 }], { country: 'PL' }),
    );
    expect(split).toMatchObject({
      ok: true,
      allocations: [
        { sku: 'SPLIT-SKU', warehouseId: berlin, quantity: 1 },
        { sku: 'SPLIT-SKU', warehouseId: madrid, quantity: 3 },
      ],
    });
    const short = await w.client.reserve(w.ctx, request([{ sku: 'SPLIT-SKU', quantity: 6 }]));
    expect(short).toEqual({
      ok: false,
      reason: 'out_of_stock',
      unavailable: [{ sku: 'SPLIT-SKU', requested: 6, available: 5 }],
    });
  });

  it('respects each warehouse’s remaining daily capacity, and gives it back on release', async () => {
    const small = await w.warehouse('CAP-BER', BERLIN, 2);
    const big = await w.warehouse('CAP-MAD', MADRID, 100);
    await w.product('CAP-SKU');
    await w.setStock(small, 'CAP-SKU', 50);
    await w.setStock(big, 'CAP-SKU', 50);
    const first = await w.client.reserve(
      w.ctx,
      request([{ sku: 'CAP-SKU', quantity: 3 }], { location: NEAR_BERLIN }),
    );
    expect(first).toMatchObject({
      ok: true,
      allocations: [
        { warehouseId: small, quantity: 2 },
        { warehouseId: big, quantity: 1 },
      ],
    });
    expect(await capacityOf(small)).toBe(2);
    const next = await w.client.reserve(
      w.ctx,
      request([{ sku: 'CAP-SKU', quantity: 1 }], { location: NEAR_BERLIN }),
    );
    expect(next).toMatchObject({ ok: true, allocations: [{ warehouseId: big, quantity: 1 }] });
    if (!first.ok) throw new Error('unreachable');
    await w.client.release(w.ctx, first.reservationId, 'test');
    expect(await capacityOf(small)).toBe(0);
    expect(await capacityOf(big)).toBe(1);
  });

  it('is all-or-nothing across items and idempotent per reference', async () => {
    const wh = await w.warehouse('AON-1', BERLIN);
    await w.product('AON-A');
    await w.product('AON-B');
    await w.setStock(wh, 'AON-A', 5);
    await w.setStock(wh, 'AON-B', 1);
    const failed = await w.client.reserve(
      w.ctx,
      request([
        { sku: 'AON-A', quantity: 2 },
        { sku: 'AON-B', quantity: 2 },
      ]),
    );
    expect(failed).toEqual({
      ok: false,
      reason: 'out_of_stock',
      unavailable: [{ sku: 'AON-B', requested: 2, available: 1 }],
    });
    expect((await stockOf('AON-A'))[0]!.reserved).toBe(0);

    const req = request([{ sku: 'AON-A', quantity: 2 }]);
    const [a, b] = await Promise.all([w.client.reserve(w.ctx, req), w.client.reserve(w.ctx, req)]);
    const again = await w.client.reserve(w.ctx, req);
    expect(a).toEqual(b);
    expect(again).toEqual(a);
    expect((await stockOf('AON-A'))[0]!.reserved).toBe(2);
    await expect(
      w.client.reserve(w.ctx, { ...req, items: [{ sku: 'AON-A', quantity: 3 }] }),
    ).rejects.toMatchObject({
      code: 'reservation_reference_reused',
    });
    await expect(w.client.reserve(w.ctx, { ...request([]), ttlSeconds: 0 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('confirms, releases once, fulfils once, and refuses what the state machine forbids', async () => {
    const wh = await w.warehouse('LIFE-1', BERLIN);
    await w.product('LIFE-SKU');
    await w.setStock(wh, 'LIFE-SKU', 10);
    const r1 = await w.client.reserve(w.ctx, request([{ sku: 'LIFE-SKU', quantity: 3 }]));
    const r2 = await w.client.reserve(w.ctx, request([{ sku: 'LIFE-SKU', quantity: 2 }]));
    if (!r1.ok || !r2.ok) throw new Error('reservations failed');

    await w.client.release(w.ctx, r1.reservationId, 'customer cancelled');
    await w.client.release(w.ctx, r1.reservationId, 'customer cancelled');
    expect(await stockOf('LIFE-SKU')).toEqual([{ warehouse_id: wh, on_hand: 10, reserved: 2 }]);
    expect((await w.client.getReservation(r1.reservationId))?.status).toBe('released');
    await expect(w.client.confirm(w.ctx, r1.reservationId)).rejects.toMatchObject({
      code: 'invalid_transition',
    });

    await w.client.confirm(w.ctx, r2.reservationId);
    await w.client.confirm(w.ctx, r2.reservationId);
    await w.client.fulfil(w.ctx, r2.reservationId);
    await w.client.fulfil(w.ctx, r2.reservationId);
    expect(await stockOf('LIFE-SKU')).toEqual([{ warehouse_id: wh, on_hand: 8, reserved: 0 }]);
    await w.client.release(w.ctx, r1.reservationId, 'again');
    await expect(w.client.release(w.ctx, r2.reservationId, 'late')).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await expect(w.client.confirm(w.ctx, newId())).rejects.toMatchObject({ code: 'not_found' });
    expect(await w.client.getReservation('not-a-uuid')).toBeUndefined();

    const reasons = await w.sql<{ reason: string; d_on: number; d_res: number }>(
      `SELECT reason, sum(delta_on_hand)::int AS d_on, sum(delta_reserved)::int AS d_res FROM warehouse.inventory_ledger
       WHERE sku = 'LIFE-SKU' GROUP BY reason ORDER BY reason`,
    );
    expect(reasons).toEqual([
      { reason: 'fulfil', d_on: -2, d_res: -2 },
      { reason: 'release', d_on: 0, d_res: -3 },
      { reason: 'reserve', d_on: 0, d_res: 5 },
      { reason: 'set', d_on: 10, d_res: 0 },
    ]);
  });

  it('refuses to confirm a reservation whose TTL has passed', async () => {
    const wh = await w.warehouse('TTL-1', BERLIN);
    await w.product('TTL-SKU');
    await w.setStock(wh, 'TTL-SKU', 4);
    const r = await w.client.reserve(w.ctx, request([{ sku: 'TTL-SKU', quantity: 1 }]));
    if (!r.ok) throw new Error('reservation failed');
    // Moving the TTL into the past by SQL keeps the test independent of wall-clock sleeps.
    await w.sql(
      `UPDATE warehouse.reservations SET expires_at = now() - interval '1 second' WHERE id = '${r.reservationId}'`,
    );
    await expect(w.client.confirm(w.ctx, r.reservationId)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'reservation_expired',
    });
    expect((await w.client.getReservation(r.reservationId))?.status).toBe('active');
  });
});
