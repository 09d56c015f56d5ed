import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { TEST_DATABASES } from './harness.js';
import { BERLIN, startWarehouseWorld, type WarehouseWorld } from './warehouse.fixtures.js';

/**
 * The warehouse jobs, triggered with `runNow` instead of waiting for cron. Time: the platform runs
 * on the system clock, so instead of sleeping past a TTL the tests move `expires_at` into the past
 * with SQL — deterministic and as fast as the job itself. Drift is injected the same way.
 */
describe.each(TEST_DATABASES)('warehouse jobs (%s)', (kind) => {
  let w: WarehouseWorld;
  beforeAll(async () => {
    w = await startWarehouseWorld(kind);
  });
  afterAll(() => w.close());

  const run = (job: string) => w.platform.orderline.eventing.scheduler('warehouse')!.runNow(job);
  const stockOf = async (sku: string) =>
    (
      await w.sql<{ on_hand: number; reserved: number }>(
        `SELECT on_hand, reserved FROM warehouse.stock WHERE sku = '${sku}' AND on_hand > 0`,
      )
    )[0];

  it('reservation-expiry releases expired stock and capacity and publishes reservation_expired', async () => {
    const wh = await w.warehouse('EXP-1', BERLIN);
    await w.product('EXP-SKU');
    await w.setStock(wh, 'EXP-SKU', 6);
    const orderId = newId();
    const expiring = await w.client.reserve(w.ctx, {
      reference: newId(),
      orderId,
      items: [{ sku: 'EXP-SKU', quantity: 4 }],
      shipTo: { country: 'DE', postalCode: '10115' },
      ttlSeconds: 60,
    });
    const live = await w.client.reserve(w.ctx, {
      reference: newId(),
      orderId: newId(),
      items: [{ sku: 'EXP-SKU', quantity: 1 }],
      shipTo: { country: 'DE', postalCode: '10115' },
      ttlSeconds: 600,
    });
    if (!expiring.ok || !live.ok) throw new Error('reservations failed');
    expect(await stockOf('EXP-SKU')).toEqual({ on_hand: 6, reserved: 5 });
    await w.sql(
      `UPDATE warehouse.reservations SET expires_at = now() - interval '1 second' WHERE id = '${expiring.reservationId}'`,
    );

    const [first, second] = await Promise.all([run('reservation-expiry'), run('reservation-expiry')]);
    const items = [first, second].map((o) => (o.ran ? o.items : 0));
    expect(items.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await stockOf('EXP-SKU')).toEqual({ on_hand: 6, reserved: 1 });
    expect((await w.client.getReservation(expiring.reservationId))?.status).toBe('expired');
    expect((await w.client.getReservation(live.reservationId))?.status).toBe('active');
    const capacity = await w.sql<{ units: number }>(
      `SELECT units FROM warehouse.capacity_usage WHERE warehouse_id = '${wh}'`,
    );
    expect(capacity[0]!.units).toBe(1);

    await waitFor(
      () => w.received.some((e) => e.type === 'warehouse.inventory.reservation_expired'),
      'expiry event',
    );
    const event = w.received.find((e) => e.type === 'warehouse.inventory.reservation_expired')!;
    expect(event.subject).toBe(orderId);
    expect(event.data).toMatchObject({
      orderId,
      reservationIds: [expiring.reservationId],
      items: [{ sku: 'EXP-SKU', quantity: 4 }],
    });
    await expect(w.client.confirm(w.ctx, expiring.reservationId)).rejects.toMatchObject({
      code: 'reservation_expired',
    });
    await w.client.release(w.ctx, expiring.reservationId, 'no-op after expiry');
    expect(await stockOf('EXP-SKU')).toEqual({ on_hand: 6, reserved: 1 });
    const again = await run('reservation-expiry');
    expect(again.ran && again.items).toBe(0);
  });

  it('stock-reconciliation corrects injected drift, ledgers it and publishes stock.reconciled', async () => {
    const wh = await w.warehouse('REC-1', BERLIN);
    await w.product('REC-SKU');
    await w.setStock(wh, 'REC-SKU', 10);
    const r = await w.client.reserve(w.ctx, {
      reference: newId(),
      orderId: newId(),
      items: [{ sku: 'REC-SKU', quantity: 3 }],
      shipTo: { country: 'DE', postalCode: '10115' },
      ttlSeconds: 600,
    });
    expect(r.ok).toBe(true);
    const clean = await run('stock-reconciliation');
    expect(clean.ran && clean.items).toBe(0);

    // Drift no code path can produce: reserved and on_hand changed behind the ledger's back.
    await w.sql(
      `UPDATE warehouse.stock SET reserved = 5, on_hand = 12 WHERE sku = 'REC-SKU' AND warehouse_id = '${wh}'`,
    );
    const fixed = await run('stock-reconciliation');
    expect(fixed.ran && fixed.items).toBe(1);
    expect(await stockOf('REC-SKU')).toEqual({ on_hand: 12, reserved: 3 });
    // on_hand: the unexplained +2 is booked, so the ledger adds up to the row again.
    const sums = await w.sql<{ on_hand: number }>(
      `SELECT sum(delta_on_hand)::int AS on_hand FROM warehouse.inventory_ledger WHERE sku = 'REC-SKU'`,
    );
    expect(sums[0]).toEqual({ on_hand: 12 });
    const rec = await w.sql<{ delta_on_hand: number; delta_reserved: number; actor: string }>(
      `SELECT delta_on_hand, delta_reserved, actor FROM warehouse.inventory_ledger WHERE sku = 'REC-SKU' AND reason = 'reconciliation'`,
    );
    expect(rec).toEqual([{ delta_on_hand: 2, delta_reserved: -2, actor: 'system:stock-reconciliation' }]);

    await waitFor(
      () =>
        w.received.filter((e) => e.type === 'warehouse.stock.reconciled' && e.subject === 'REC-SKU')
          .length === 2,
      'two reconciled events',
    );
    const events = w.received.filter(
      (e) => e.type === 'warehouse.stock.reconciled' && e.subject === 'REC-SKU',
    );
    expect(events.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ warehouseId: wh, field: 'reserved', before: 5, after: 3 }),
        expect.objectContaining({ warehouseId: wh, field: 'on_hand', before: 10, after: 12 }),
      ]),
    );
    const after = await run('stock-reconciliation');
    expect(after.ran && after.items).toBe(0);
  });
});
