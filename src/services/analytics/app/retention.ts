import { sql } from 'kysely';
import { SCHEMA } from '../data/sql.js';
import type { AnalyticsDeps } from './deps.js';

const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1));
const partitionName = (d: Date) =>
  `events_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * Retention of raw events (SG-24, Fix 19), the same SQL on PostgreSQL and PGlite: monthly range
 * partitions exist from this month to `ahead` months on (rows already in the default partition for
 * such a month are moved into it), partitions wholly older than the retention are dropped, and old
 * rows that landed in the default partition are deleted. Serialized by a transaction advisory lock
 * (the job and start-up of several replicas).
 */
export async function enforceRetention(
  deps: AnalyticsDeps,
  settings: { retentionDays: number; partitionsAhead: number },
): Promise<{ created: string[]; dropped: string[]; deleted: number }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - settings.retentionDays * 86_400_000);
  return deps.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`${SCHEMA}.events.retention`}))`.execute(tx);
    const existing = await sql<{ name: string; upper: string | null }>`
      SELECT c.relname AS name,
        substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \\(''([^'']+)''\\)') AS upper
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = ${SCHEMA} AND p.relname = 'events'`.execute(tx);
    const names = new Set(existing.rows.map((r) => r.name));
    const created: string[] = [];
    for (let k = 0; k <= settings.partitionsAhead; k++) {
      const from = monthStart(now.getUTCFullYear(), now.getUTCMonth() + k);
      const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
      const name = partitionName(from);
      if (names.has(name)) continue;
      const part = sql.table(`${SCHEMA}.${name}`);
      const parent = sql.table(`${SCHEMA}.events`);
      const fallback = sql.table(`${SCHEMA}.events_default`);
      const range = sql`occurred_at >= ${from.toISOString()}::timestamptz AND occurred_at < ${to.toISOString()}::timestamptz`;
      await sql`CREATE TABLE ${part} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(tx);
      await sql`INSERT INTO ${part} SELECT * FROM ${fallback} WHERE ${range}`.execute(tx);
      await sql`DELETE FROM ${fallback} WHERE ${range}`.execute(tx);
      await sql`ALTER TABLE ${parent} ATTACH PARTITION ${part}
        FOR VALUES FROM (${sql.lit(from.toISOString())}) TO (${sql.lit(to.toISOString())})`.execute(tx);
      created.push(name);
    }
    const dropped: string[] = [];
    for (const r of existing.rows) {
      if (!r.upper || r.name === 'events_default') continue;
      if (new Date(r.upper).getTime() <= cutoff.getTime()) {
        await sql`DROP TABLE ${sql.table(`${SCHEMA}.${r.name}`)}`.execute(tx);
        dropped.push(r.name);
      }
    }
    const deleted =
      await sql`DELETE FROM ${sql.table(`${SCHEMA}.events_default`)} WHERE occurred_at < ${cutoff}`.execute(
        tx,
      );
    return { created, dropped, deleted: Number(deleted.numAffectedRows ?? 0) };
  });
}
