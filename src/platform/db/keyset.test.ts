import { describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds } from '../eventing/eventing.fixtures.js';
import { afterKeyset, type Keyset } from './keyset.js';

interface Db {
  items: { id: string; due: Date };
}

/** The page condition of job sweeps walks every row once, in order, also across ties. */
describe.each(databaseKinds())('afterKeyset on %s', (kind) => {
  it('visits each row exactly once in (column, id) order when many rows share a value', async () => {
    const t = await createTestDatabase(
      kind,
      [],
      'CREATE SCHEMA kt; CREATE TABLE kt.items (id uuid PRIMARY KEY, due timestamptz NOT NULL);',
    );
    try {
      const db = t.database.forSchema<Db>('kt');
      const base = Date.parse('2030-01-01T00:00:00Z');
      const rows = Array.from({ length: 11 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(100 - i).padStart(12, '0')}`,
        // Four rows at each instant: pages of 3 must cut through ties.
        due: new Date(base + Math.floor(i / 4) * 60_000),
      }));
      await db.insertInto('items').values(rows).execute();
      const seen: string[] = [];
      let after: Keyset | undefined;
      for (;;) {
        let q = db.selectFrom('items').select(['id', 'due']);
        if (after) q = q.where(afterKeyset('due', after));
        const page = await q.orderBy('due').orderBy('id').limit(3).execute();
        if (page.length === 0) break;
        seen.push(...page.map((r) => r.id));
        const last = page.at(-1)!;
        after = { at: new Date(last.due), id: last.id };
      }
      const expected = [...rows]
        .sort((a, b) => a.due.getTime() - b.due.getTime() || a.id.localeCompare(b.id))
        .map((r) => r.id);
      expect(seen).toEqual(expected);
      expect(seen).toHaveLength(11);
    } finally {
      await t.cleanup();
    }
  });
});
