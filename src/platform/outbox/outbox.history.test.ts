import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../eventing/eventing.fixtures.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { newId } from '../ids.js';
import { createEventHistory } from './outbox.history.js';
import { buildEnvelope } from './outbox.publisher.js';

const product = (at: Date) => {
  const productId = newId();
  return buildEnvelope('catalog.product.created', productId, {
    productId,
    sku: 'SKU-H',
    name: 'Mug',
    category: null,
    status: 'active',
    occurredAt: at.toISOString(),
  });
};

for (const kind of databaseKinds()) {
  describe(`event history on ${kind}`, () => {
    let tdb: TestDatabase;
    let db: Kysely<PlatformTables>;
    const base = new Date('2026-03-01T10:00:00.000Z');
    const at = (s: number) => new Date(base.getTime() + s * 1000);
    const ids: string[] = [];
    beforeAll(async () => {
      tdb = await createTestDatabase(kind, ['catalog']);
      db = tdb.database.forSchema<PlatformTables>('catalog');
      // Seven published rows, two sharing a creation time (the keyset must neither skip nor repeat
      // a tie), one pending row in the window and one published row after it.
      const rows = [0, 1, 1, 2, 3, 4, 5].map((s) => ({
        env: product(at(s)),
        at: at(s),
        status: 'published',
      }));
      rows.push({ env: product(at(3)), at: at(3), status: 'pending' });
      rows.push({ env: product(at(60)), at: at(60), status: 'published' });
      for (const r of rows)
        await db
          .insertInto('outbox')
          .values({
            id: r.env.id,
            topic: r.env.type,
            key: r.env.subject,
            envelope: JSON.stringify(r.env),
            status: r.status as 'published',
            next_attempt_at: r.at,
            created_at: r.at,
          })
          .execute();
      ids.push(
        ...rows
          .filter((r) => r.status === 'published' && r.at < at(10))
          .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.env.id < b.env.id ? -1 : 1))
          .map((r) => r.env.id),
      );
    });
    afterAll(async () => tdb?.cleanup());

    it('pages the published rows of a window in (created_at, id) order, each once', async () => {
      const history = createEventHistory(db);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page = await history.publishedEvents({
          from: at(0),
          to: at(10),
          topics: ['catalog.product.created'],
          after,
          limit: 2,
        });
        seen.push(...page.events.map((e) => e.id));
        expect(page.events.every((e) => e.type === 'catalog.product.created')).toBe(true);
        after = page.nextCursor;
        if (!after) break;
      }
      expect(seen).toEqual(ids);
      const other = await history.publishedEvents({
        from: at(0),
        to: at(10),
        topics: ['catalog.product.updated'],
        limit: 10,
      });
      expect(other).toEqual({ events: [], nextCursor: null });
    });

    it('refuses a cursor it did not issue and a limit out of range', async () => {
      const history = createEventHistory(db);
      const query = { from: at(0), to: at(10), topics: ['catalog.product.created'], limit: 2 };
      await expect(history.publishedEvents({ ...query, after: 'bm9wZQ' })).rejects.toMatchObject({
        code: 'invalid_cursor',
      });
      await expect(history.publishedEvents({ ...query, limit: 0 })).rejects.toMatchObject({
        code: 'invalid_limit',
      });
    });
  });
}
