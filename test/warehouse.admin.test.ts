import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { TEST_DATABASES } from './harness.js';
import { BERLIN, MADRID, startWarehouseWorld, type WarehouseWorld } from './warehouse.fixtures.js';

/** Admin API of the warehouse service: warehouses, set/adjust (ledgered), import, stock per sku. */
describe.each(TEST_DATABASES)('warehouse admin API (%s)', (kind) => {
  let w: WarehouseWorld;
  beforeAll(async () => {
    w = await startWarehouseWorld(kind);
  });
  afterAll(() => w.close());

  const ledger = (sku: string) =>
    w.sql<{ delta_on_hand: number; delta_reserved: number; reason: string; note: string | null }>(
      `SELECT delta_on_hand, delta_reserved, reason, note FROM warehouse.inventory_ledger WHERE sku = '${sku}' ORDER BY created_at, id`,
    );

  it('creates, reads, lists with a cursor, updates and deactivates warehouses', async () => {
    const a = await w.warehouse('crud-a', BERLIN, 50);
    const b = await w.warehouse('CRUD-B', MADRID, 60, 'es');
    const got = await w.call('GET', `/admin/warehouses/${b}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      id: b,
      code: 'CRUD-B',
      capacityPerDay: 60,
      address: { country: 'ES' },
      location: MADRID,
      status: 'active',
    });
    expect((await w.call('GET', `/admin/warehouses/${a}`)).json().code).toBe('CRUD-A');

    const page1 = await w.call('GET', '/admin/warehouses?limit=1');
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items).toHaveLength(1);
    const page2 = await w.call('GET', `/admin/warehouses?limit=1&cursor=${page1.json().nextCursor}`);
    expect(page2.json().items[0].id).not.toBe(page1.json().items[0].id);
    expect((await w.call('GET', '/admin/warehouses?cursor=nope')).statusCode).toBe(400);

    const patched = await w.call('PATCH', `/admin/warehouses/${a}`, {
      capacityPerDay: 75,
      name: 'Berlin hub',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ capacityPerDay: 75, name: 'Berlin hub', version: 2 });

    expect((await w.call('DELETE', `/admin/warehouses/${b}`)).statusCode).toBe(204);
    expect((await w.call('GET', `/admin/warehouses/${b}`)).json().status).toBe('inactive');
    expect((await w.call('DELETE', `/admin/warehouses/${b}`)).statusCode).toBe(204);
    const inactive = await w.call('GET', '/admin/warehouses?status=inactive');
    expect(inactive.json().items.map((x: { id: string }) => x.id)).toEqual([b]);
  });

  it('refuses invalid warehouses with 400 and a taken code with 409, storing nothing', async () => {
    const bad = await w.call('POST', '/admin/warehouses', {
      code: 'bad code!',
      name: 'X',
      capacityPerDay: 0,
      address: { line1: '1', city: 'c', postalCode: '1', country: 'DE' },
      location: { lat: 91, lng: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.capacityPerDay', 'body.location.lat']));
    const invalidCode = await w.call('POST', '/admin/warehouses', {
      code: 'bad code!',
      name: 'X',
      capacityPerDay: 5,
      address: { line1: '1', city: 'c', postalCode: '1', country: 'DE' },
      location: BERLIN,
    });
    expect(invalidCode.statusCode).toBe(400);
    expect(invalidCode.json().errors[0].path).toBe('body.code');
    await w.warehouse('DUP', BERLIN);
    const dup = await w.call('POST', '/admin/warehouses', {
      code: 'dup',
      name: 'Again',
      capacityPerDay: 5,
      address: { line1: '1', city: 'c', postalCode: '1', country: 'DE' },
      location: BERLIN,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('warehouse_code_taken');
    expect((await w.call('GET', '/admin/warehouses/0190a0b0-0000-7000-8000-000000000000')).statusCode).toBe(
      404,
    );
    expect(
      (await w.call('PATCH', `/admin/warehouses/0190a0b0-0000-7000-8000-000000000000`, { name: 'x' }))
        .statusCode,
    ).toBe(404);
  });

  it('opens zero stock rows in every active warehouse when a product is created', async () => {
    const wh = await w.warehouse('OPEN-1', BERLIN);
    await w.product('OPEN-SKU');
    await waitFor(async () => {
      const res = await w.call('GET', '/admin/inventory/OPEN-SKU');
      return (
        res.statusCode === 200 && res.json().items.some((i: { warehouseId: string }) => i.warehouseId === wh)
      );
    }, 'stock row opened by catalog.product.created');
    const res = await w.call('GET', '/admin/inventory/OPEN-SKU');
    expect(res.json().items.find((i: { warehouseId: string }) => i.warehouseId === wh)).toMatchObject({
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    expect(await ledger('OPEN-SKU')).toEqual([]);
  });

  it('sets and adjusts stock, both ledgered; violations are 409 and change nothing', async () => {
    const wh = await w.warehouse('SET-1', BERLIN);
    await w.product('SET-SKU');
    const set = await w.call('PUT', `/admin/inventory/${wh}/set-sku`, { onHand: 10 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({
      warehouseId: wh,
      sku: 'SET-SKU',
      onHand: 10,
      reserved: 0,
      available: 10,
    });
    const adjusted = await w.call('PUT', `/admin/inventory/${wh}/SET-SKU`, {
      delta: -3,
      reason: 'damaged in transit',
    });
    expect(adjusted.statusCode, adjusted.body).toBe(200);
    expect(adjusted.json().onHand).toBe(7);

    const negative = await w.call('PUT', `/admin/inventory/${wh}/SET-SKU`, { delta: -8, reason: 'too many' });
    expect(negative.statusCode).toBe(409);
    expect(negative.json().code).toBe('conflict');

    const r = await w.client.reserve(w.ctx, {
      reference: 'set-below-reserved',
      orderId: '0190a0b0-0000-7000-8000-0000000000aa',
      items: [{ sku: 'SET-SKU', quantity: 4 }],
      shipTo: { country: 'DE', postalCode: '10115' },
      ttlSeconds: 600,
    });
    expect(r.ok).toBe(true);
    const below = await w.call('PUT', `/admin/inventory/${wh}/SET-SKU`, { onHand: 3 });
    expect(below.statusCode).toBe(409);
    expect(below.json().code).toBe('conflict');
    const belowByDelta = await w.call('PUT', `/admin/inventory/${wh}/SET-SKU`, {
      delta: -4,
      reason: 'count',
    });
    expect(belowByDelta.statusCode).toBe(409);
    const deactivate = await w.call('DELETE', `/admin/warehouses/${wh}`);
    expect(deactivate.statusCode).toBe(409);
    expect(deactivate.json().code).toBe('warehouse_has_reserved_stock');

    // Other warehouses hold the zero rows catalog.product.created opened.
    const stock = await w.call('GET', '/admin/inventory/SET-SKU');
    expect(stock.json().sku).toBe('SET-SKU');
    expect(stock.json().items).toContainEqual(
      expect.objectContaining({ warehouseId: wh, onHand: 7, reserved: 4, available: 3 }),
    );
    expect(await ledger('SET-SKU')).toEqual([
      { delta_on_hand: 10, delta_reserved: 0, reason: 'set', note: null },
      { delta_on_hand: -3, delta_reserved: 0, reason: 'adjust', note: 'damaged in transit' },
      { delta_on_hand: 0, delta_reserved: 4, reason: 'reserve', note: null },
    ]);
  });

  it('answers 404 for an unknown sku or warehouse and 400 for a malformed body', async () => {
    const wh = await w.warehouse('NF-1', BERLIN);
    expect((await w.call('GET', '/admin/inventory/NO-SUCH-SKU')).statusCode).toBe(404);
    expect((await w.call('PUT', `/admin/inventory/${wh}/NO-SUCH-SKU`, { onHand: 1 })).statusCode).toBe(404);
    await w.product('NF-SKU');
    expect(
      (await w.call('PUT', '/admin/inventory/0190a0b0-0000-7000-8000-000000000000/NF-SKU', { onHand: 1 }))
        .statusCode,
    ).toBe(404);
    for (const body of [
      { onHand: -1 },
      { delta: 2 },
      { onHand: 1, delta: 1, reason: 'x' },
      { delta: 0, reason: 'x' },
      {},
    ])
      expect((await w.call('PUT', `/admin/inventory/${wh}/NF-SKU`, body)).statusCode).toBe(400);
  });

  it('imports many rows with a result per row, by id or code', async () => {
    const a = await w.warehouse('IMP-A', BERLIN);
    await w.warehouse('IMP-B', MADRID);
    await w.product('IMP-1');
    await w.product('IMP-2');
    const res = await w.call('POST', '/admin/inventory/import', {
      items: [
        { warehouseId: a, sku: 'IMP-1', onHand: 5 },
        { warehouseCode: 'imp-b', sku: 'imp-1', onHand: 7 },
        { warehouseCode: 'IMP-B', sku: 'IMP-2', onHand: 2 },
        { warehouseCode: 'NOPE', sku: 'IMP-2', onHand: 2 },
        { warehouseId: a, sku: 'UNKNOWN-SKU', onHand: 2 },
        { warehouseId: a, sku: 'IMP-1', onHand: 9 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.succeeded).toBe(3);
    expect(body.failed).toBe(3);
    expect(body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'ok',
      'ok',
      'ok',
      'not_found',
      'not_found',
      'validation_failed',
    ]);
    const stock = await w.call('GET', '/admin/inventory/IMP-1');
    const nonZero = stock.json().items.filter((i: { onHand: number }) => i.onHand > 0);
    expect(nonZero.map((i: { onHand: number }) => i.onHand).sort()).toEqual([5, 7]);
    expect((await ledger('IMP-1')).map((l) => [l.reason, l.delta_on_hand])).toEqual([
      ['import', 5],
      ['import', 7],
    ]);
    const empty = await w.call('POST', '/admin/inventory/import', { items: [] });
    expect(empty.statusCode).toBe(400);
  });

  it('publishes warehouse.stock.low once per downward crossing of the threshold', async () => {
    const wh = await w.warehouse('LOW-1', BERLIN);
    await w.product('LOW-SKU');
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { onHand: 10, lowStockThreshold: 3 });
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { delta: -6, reason: 'sold offline' }); // 4: above
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { delta: -1, reason: 'sold offline' }); // 3: crossing
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { delta: -1, reason: 'sold offline' }); // 2: still low
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { onHand: 8 }); // back up
    await w.call('PUT', `/admin/inventory/${wh}/LOW-SKU`, { onHand: 1 }); // crossing again
    await waitFor(
      () => w.received.filter((e) => e.subject === 'LOW-SKU').length >= 2,
      'two low-stock events',
    );
    await new Promise((r) => setTimeout(r, 200));
    const low = w.received.filter((e) => e.type === 'warehouse.stock.low' && e.subject === 'LOW-SKU');
    expect(low.map((e) => e.data)).toEqual([
      expect.objectContaining({ sku: 'LOW-SKU', warehouseId: wh, available: 3, threshold: 3 }),
      expect.objectContaining({ sku: 'LOW-SKU', warehouseId: wh, available: 1, threshold: 3 }),
    ]);
  });
});
