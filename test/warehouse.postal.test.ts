import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS } from './checkout.fakes.js';
import { TEST_DATABASES } from './harness.js';
import { cod, type OrderWorld, startOrderWorld } from './order.fixtures.js';

/**
 * Allocation by postal code through checkout (docs/warehouse.md "Distance"): the order ships to
 * 94103 (San Francisco). With GeoNames postal centroids configured the reservation takes the
 * Oakland warehouse; by country centroid alone (the middle of the US) New York is nearer.
 */
describe.each(TEST_DATABASES)('warehouse choice by postal code (%s)', (kind) => {
  let dir: string;
  const worlds: OrderWorld[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'postal-'));
    // Two lines in the GeoNames export/zip layout (made up for the test, real coordinates).
    const line = (code: string, lat: number, lng: number) =>
      ['US', code, 'Place', 'State', 'ST', 'County', 'C', '', '', lat, lng, 4].join('\t');
    await writeFile(
      join(dir, 'US.txt'),
      `${line('94103', 37.7725, -122.4091)}\n${line('10001', 40.7484, -73.9967)}\n`,
    );
  });
  afterAll(async () => {
    for (const w of worlds) await w.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function allocatedTo(
    env: Record<string, string>,
  ): Promise<{ west: string; east: string; chosen: string }> {
    const w = await startOrderWorld(kind, env);
    worlds.push(w);
    const east = await w.warehouse('NYC', 40.7, -74.1);
    await w.product('PST-A', '1000', 5, w.warehouseId);
    await w.ok(w.adminCall('PUT', `/admin/inventory/${east}/PST-A`, { onHand: 5 }));
    const o = await w.checkout([['PST-A', 1]], cod);
    expect(ADDRESS.postalCode).toBe('94103');
    return { west: w.warehouseId, east, chosen: o.body.items[0]!.warehouseId };
  }

  it('takes the warehouse nearest the postal code, and the country centroid without a dataset', async () => {
    const byPostal = await allocatedTo({ WAREHOUSE_POSTAL_CENTROIDS_FILES: join(dir, 'US.txt') });
    expect(byPostal.chosen).toBe(byPostal.west);
    const byCountry = await allocatedTo({});
    expect(byCountry.chosen).toBe(byCountry.east);
  });
});
