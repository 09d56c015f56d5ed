import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { ADDRESS } from './checkout.fakes.js';
import { TEST_DATABASES } from './harness.js';
import { card, cod, type OrderWorld, startOrderWorld } from './order.fixtures.js';

interface Row {
  index: number;
  op: string;
  ok: boolean;
  status: number;
  orderId?: string;
  orderStatus?: string;
  error?: { code: string; detail: string; errors?: { path: string; message: string }[] };
}

/**
 * POST /admin/orders/bulk (OR-P1-03): B2B creation through the real checkout and status updates,
 * one result per row — a failing row leaves the others alone — and a repeated request answers
 * with the orders already created instead of placing them twice (G2).
 */
describe.each(TEST_DATABASES)('bulk orders on %s', (kind) => {
  let w: OrderWorld;
  const SKU = 'BULK-CRATE';

  beforeAll(async () => {
    w = await startOrderWorld(kind, { ORDER_BULK_MAX_ROWS: '5' });
    await w.product(SKU, '4000', 20);
  });
  afterAll(() => w?.close());

  const bulk = (operations: unknown[], key?: string) =>
    w.platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/orders/bulk',
      headers: { ...w.admin, ...(key ? { 'idempotency-key': key } : {}) },
      payload: { operations },
    });

  const create = (quantity: number, sku = SKU) => ({
    op: 'create',
    currency: 'USD',
    items: [{ sku, quantity }],
    shippingAddress: ADDRESS,
    payment: { method: 'bank_transfer' },
  });

  it('creates, cancels and confirms per row; a bad row fails alone; the same request again creates nothing new', async () => {
    const pendingCod = await w.checkout([[SKU, 1]], cod);
    const toCancel = await w.checkout([[SKU, 1]], card());
    const before = await w.reserved(SKU);
    const operations = [
      create(2),
      create(1, 'NO-SUCH-SKU'),
      { op: 'cancel', orderId: toCancel.id, reason: 'customer called' },
      { op: 'confirm', orderId: pendingCod.id },
      { op: 'cancel', orderId: newId() },
    ];
    const key = newId();
    const res = await bulk(operations, key);
    expect(res.statusCode, res.body).toBe(200);
    const { results, summary } = res.json<{
      results: Row[];
      summary: { succeeded: number; failed: number };
    }>();
    expect(summary).toEqual({ succeeded: 3, failed: 2 });
    expect(results.map((r) => [r.index, r.op, r.ok, r.status])).toEqual([
      [0, 'create', true, 201],
      [1, 'create', false, 422],
      [2, 'cancel', true, 200],
      [3, 'confirm', true, 200],
      [4, 'cancel', false, 404],
    ]);
    expect(results[1]!.error!.code).toBe('unknown_sku');
    expect(results[1]!.error!.errors![0]!.path).toMatch(/^body\.operations\.1\./);
    expect(results[2]!.orderStatus).toBe('cancelled');
    expect(results[3]!.orderStatus).toBe('confirmed');
    const created = results[0]!;
    expect(created.orderStatus).toBe('pending');
    const order = await w.adminCall('GET', `/admin/orders/${created.orderId}`);
    expect(order.json()).toMatchObject({ status: 'pending', payment: { method: 'bank_transfer' } });
    expect(order.json().items).toEqual([expect.objectContaining({ sku: SKU, quantity: 2 })]);
    // 2 reserved for the new order, 1 given back by the cancelled one (the COD one stays held).
    await expect.poll(() => w.reserved(SKU), { timeout: 10_000 }).toBe(before + 2 - 1);

    // The same request again: the created row answers with its order, the others run again.
    const again = await bulk(operations, key);
    const second = again.json<{ results: Row[] }>().results;
    expect(second[0]).toMatchObject({ ok: true, status: 201, orderId: created.orderId });
    expect(second[2]).toMatchObject({ ok: false, status: 409 });
    expect(await w.reserved(SKU)).toBe(before + 2 - 1);
  });

  it('refuses creation without an Idempotency-Key and more rows than ORDER_BULK_MAX_ROWS', async () => {
    const noKey = await bulk([create(1)]);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().code).toBe('idempotency_key_required');
    const tooMany = await bulk(
      Array.from({ length: 6 }, () => ({ op: 'cancel', orderId: newId() })),
      newId(),
    );
    expect(tooMany.statusCode).toBe(400);
    expect((await bulk([{ op: 'ship', orderId: newId() }])).statusCode).toBe(400);
    const customer = await w.platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/orders/bulk',
      payload: { operations: [{ op: 'cancel', orderId: newId() }] },
    });
    expect(customer.statusCode).toBe(401);
  });
});
