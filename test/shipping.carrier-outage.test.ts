import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASES } from './harness.js';
import { type Shipment, type ShippingWorld, startShippingWorld } from './shipping.fixtures.js';

/**
 * SHIP-P0-01 with the carrier failing (05-quality.md "carrier down"): simcarrier is taken down
 * through its development outage switch; booking never blocks the consumer, retries with backoff
 * from the shipment-booking job (tiny retry delays here so the next run is due at once), and
 * falls back to manual handling after SHIPPING_CARRIER_MAX_ATTEMPTS. Concurrent job runs book a
 * shipment once. The tests share one process, so its carrier circuit breaker sees them all: the
 * fallback, which may well trip it, runs last.
 */
describe.each(TEST_DATABASES)('shipment booking when the carrier fails (%s)', (kind) => {
  let w: ShippingWorld;

  beforeAll(async () => {
    w = await startShippingWorld(kind, {
      SHIPPING_CARRIER_MAX_ATTEMPTS: '3',
      SHIPPING_CARRIER_RETRY_BASE_MS: '1',
      SHIPPING_CARRIER_RETRY_MAX_MS: '1',
    });
  });
  afterAll(() => w?.close());

  const pending = (orderId: string, count = 1) =>
    w.waitShipments(
      orderId,
      `${count} shipment(s) carrier_pending`,
      (s) => s.length === count && s.every((x) => x.status === 'carrier_pending'),
    );
  const history = (s: Shipment) => s.events.map((e) => e.status);
  const moves = async (orderId: string) =>
    (await w.published(`key = '${orderId}'`)).map((e) => [
      e.topic,
      e.data.oldStatus,
      e.data.newStatus,
      e.data.carrierCode,
      e.data.version,
    ]);
  const parcels = async (orderId: string) =>
    w.sql(`SELECT tracking_number FROM shipping.simcarrier_parcels WHERE order_id = '${orderId}'`);
  const changed = 'shipping.shipment.status_changed';

  it('a failed booking never blocks: the shipment waits in carrier_pending and the job books it once the carrier answers', async () => {
    await w.setOutage(false, 1);
    const o = await w.readyOrder('simcarrier');
    const [p] = await pending(o.orderId);
    expect(p).toMatchObject({
      attempts: 1,
      trackingNumber: null,
      lastError: expect.stringContaining('simcarrier'),
    });
    expect(await w.sql('SELECT down, fail_next FROM shipping.simcarrier_settings')).toEqual([
      { down: false, fail_next: 0 },
    ]);

    expect(await w.runJob('shipment-booking')).toBe(1);
    const [b] = await w.shipments(o.orderId);
    expect(b).toMatchObject({
      status: 'label_created',
      attempts: 2,
      lastError: null,
      nextAttemptAt: null,
      version: 3,
    });
    expect(b!.trackingNumber).toMatch(/^SIM/);
    expect(history(b!)).toEqual(['created', 'carrier_pending', 'label_created']);
    expect(await moves(o.orderId)).toEqual([
      [changed, null, 'created', 'simcarrier', 1],
      [changed, 'created', 'carrier_pending', 'simcarrier', 2],
      [changed, 'carrier_pending', 'label_created', 'simcarrier', 3],
    ]);
  });

  it('concurrent booking runs (two scheduler replicas and a manual run) book each due shipment once', async () => {
    await w.setOutage(true);
    const o = await w.readyOrder('simcarrier', [300, 300]);
    await pending(o.orderId, 2);
    expect(await parcels(o.orderId)).toEqual([]);
    await w.setOutage(false);

    const job = w.platform.orderline.modules
      .find((m) => m.name === 'shipping')!
      .jobs!.find((j) => j.name === 'shipment-booking')!;
    const replica = async (runId: string) => {
      const result = await job.handler({
        tick: new Date(),
        runId,
        logger: w.platform.orderline.logger,
        signal: new AbortController().signal,
      });
      return typeof result === 'number' ? result : (result?.items ?? 0);
    };
    const items = await Promise.all([
      w.runJob('shipment-booking'),
      replica('replica-b'),
      replica('replica-c'),
    ]);
    expect(items.reduce((a, b) => a + b, 0)).toBe(2);

    const booked = await w.shipments(o.orderId);
    expect(booked.map((s) => [s.status, s.attempts, s.version])).toEqual([
      ['label_created', 2, 3],
      ['label_created', 2, 3],
    ]);
    expect(new Set(booked.map((s) => s.trackingNumber)).size).toBe(2);
    expect(await parcels(o.orderId)).toHaveLength(2);
    const labels = (await moves(o.orderId)).filter((m) => m[2] === 'label_created');
    expect(labels).toHaveLength(2);
  });

  it('an order cancelled while its booking is retried is cancelled without reaching the carrier', async () => {
    await w.setOutage(true);
    const o = await w.readyOrder('simcarrier');
    await pending(o.orderId);
    const res = await w.adminCall('POST', `/orders/${o.orderId}/cancel`, { reason: 'changed my mind' });
    expect(res.statusCode, res.body).toBe(200);
    const [c] = await w.waitShipments(o.orderId, 'shipment cancelled', (s) => s[0]?.status === 'cancelled');
    expect(c).toMatchObject({ carrierCancel: null, nextAttemptAt: null, trackingNumber: null });
    await w.setOutage(false);
    expect(await w.runJob('shipment-booking')).toBe(0);
    expect(await parcels(o.orderId)).toEqual([]);
  });

  it('when the carrier stays down, the tries run out and the shipment falls back to manual handling (ops event)', async () => {
    await w.setOutage(true);
    const o = await w.readyOrder('simcarrier');
    const [first] = await pending(o.orderId);
    expect(first).toMatchObject({ attempts: 1, version: 2 });

    expect(await w.runJob('shipment-booking')).toBe(1);
    const [second] = await w.shipments(o.orderId);
    // A retry is bookkeeping, not a status change: no new version, no new event.
    expect(second).toMatchObject({ status: 'carrier_pending', attempts: 2, version: 2 });

    expect(await w.runJob('shipment-booking')).toBe(1);
    const [manual] = await w.shipments(o.orderId);
    expect(manual).toMatchObject({
      status: 'manual',
      carrier: 'manual',
      attempts: 3,
      trackingNumber: null,
      nextAttemptAt: null,
      lastError: expect.any(String),
      version: 3,
    });
    expect(history(manual!)).toEqual(['created', 'carrier_pending', 'manual']);
    expect(await moves(o.orderId)).toEqual([
      [changed, null, 'created', 'simcarrier', 1],
      [changed, 'created', 'carrier_pending', 'simcarrier', 2],
      [changed, 'carrier_pending', 'manual', 'manual', 3],
    ]);
    const fallbacks = await w.platform.orderline.metrics.registry
      .getSingleMetric('orderline_shipping_manual_fallbacks_total')!
      .get();
    expect(fallbacks.values).toEqual([
      expect.objectContaining({ labels: { carrier: 'simcarrier' }, value: 1 }),
    ]);

    // Nothing more to book: staff take it from here.
    expect(await w.runJob('shipment-booking')).toBe(0);
    expect(await parcels(o.orderId)).toEqual([]);
    await w.setOutage(false);
    expect(await w.sql('SELECT subscription, error FROM shipping.dead_letters')).toEqual([]);
  });
});
