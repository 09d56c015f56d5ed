import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, productCreated, type TestDatabase } from '../eventing/eventing.fixtures.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { outboxSignal, publish, transaction } from './outbox.publisher.js';

/** U-W3: relays wake on their own service's commits only, not on every commit in the process. */
describe('outbox relay signal', () => {
  let tdb: TestDatabase;
  let db: Kysely<PlatformTables>;
  const woken = { catalog: 0, warehouse: 0 };
  const onCatalog = () => woken.catalog++;
  const onWarehouse = () => woken.warehouse++;

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite', ['catalog']);
    db = tdb.database.forSchema<PlatformTables>('catalog');
    outboxSignal.listen('catalog', onCatalog);
    outboxSignal.listen('warehouse', onWarehouse);
  });
  afterAll(async () => {
    outboxSignal.unlisten('catalog', onCatalog);
    outboxSignal.unlisten('warehouse', onWarehouse);
    await tdb.cleanup();
  });

  it('wakes only the publishing service, once, after the commit (never before it: no empty claim)', async () => {
    woken.catalog = 0;
    woken.warehouse = 0;
    await transaction(db, async (tx) => {
      await tx.publish('catalog.product.created', 'p1', productCreated(crypto.randomUUID()));
      await tx.publish('catalog.product.created', 'p1', productCreated(crypto.randomUUID()));
      expect(woken.catalog).toBe(0);
    });
    expect(woken).toEqual({ catalog: 1, warehouse: 0 });
  });

  it('wakes nobody for a transaction that rolled back', async () => {
    woken.catalog = 0;
    await expect(
      transaction(db, async (tx) => {
        await tx.publish('catalog.product.created', 'p1', productCreated(crypto.randomUUID()));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(woken.catalog).toBe(0);
  });

  it('wakes nobody for a transaction that published nothing', async () => {
    woken.catalog = 0;
    await transaction(db, async (tx) => {
      await tx.selectFrom('outbox').select('id').execute();
    });
    expect(woken.catalog).toBe(0);
  });

  it('wakes the publisher from a plain Kysely transaction too (at once: it cannot see the commit)', async () => {
    woken.catalog = 0;
    await db.transaction().execute(async (tx) => {
      await publish(tx, 'catalog.product.created', 'p2', productCreated(crypto.randomUUID()));
    });
    expect(woken.catalog).toBe(1);
  });
});
