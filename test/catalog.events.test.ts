import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** The catalog announces product changes through its outbox and the bus (issue 3, G3). */
describe.each(TEST_DATABASES)('catalog product events (%s)', (kind) => {
  let platform: TestPlatform;
  let token: string;
  const received: EventEnvelope[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform(kind, { services: ['user', 'auth', 'catalog'] });
    token = (await loginAs(platform.app)).accessToken;
    await platform.orderline.eventing.bus().subscribe(
      'test.catalog-events',
      ['catalog.product.created', 'catalog.product.updated'],
      async (delivery) => {
        received.push(delivery.envelope as EventEnvelope);
        return { kind: 'ack' };
      },
      { concurrency: 1, ackWaitMs: 30_000 },
    );
  });
  afterAll(() => platform.close());

  it('publishes created and updated with the product state, keyed by product id, in order', async () => {
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/products',
      headers: bearer(token),
      payload: { sku: 'EVT-1', name: 'Evented mug' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const patched = await platform.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/products/${id}`,
      headers: bearer(token),
      payload: { name: 'Evented mug v2', version: 1 },
    });
    expect(patched.statusCode).toBe(200);

    await waitFor(() => received.filter((e) => e.subject === id).length === 2, 'both product events');
    const mine = received.filter((e) => e.subject === id);
    expect(mine.map((e) => e.type)).toEqual(['catalog.product.created', 'catalog.product.updated']);
    expect(mine[0]).toMatchObject({
      specversion: '1.0',
      source: 'catalog',
      schemaversion: '1',
      data: { productId: id, sku: 'EVT-1', name: 'Evented mug', category: null, status: 'active' },
    });
    expect(mine[1]?.data).toMatchObject({ name: 'Evented mug v2', version: 2, changedFields: ['name'] });
    expect(mine[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('writes no event for a refused change', async () => {
    const before = received.length;
    const dup = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/products',
      headers: bearer(token),
      payload: { sku: 'EVT-1', name: 'Duplicate' },
    });
    expect(dup.statusCode).toBe(409);
    const rows = await platform.orderline.database.root
      .withSchema('catalog')
      .selectFrom('outbox')
      .select(['topic', 'status'])
      .execute();
    expect(rows).toHaveLength(2);
    await waitFor(async () => {
      const pending = await platform.orderline.database.root
        .withSchema('catalog')
        .selectFrom('outbox')
        .select('id')
        .where('status', '<>', 'published')
        .execute();
      return pending.length === 0;
    }, 'outbox drained');
    expect(received.length).toBe(before);
  });
});
