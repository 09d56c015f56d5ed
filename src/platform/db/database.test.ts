import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test/databases.js';
import { createDatabase } from './database.js';

describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL pool', () => {
  it('survives the server terminating its idle connections, reporting each', async () => {
    const target = await createPostgresDatabase();
    const errors: Error[] = [];
    const db = await createDatabase({
      url: target.url,
      applicationName: 'orderline-idle-test',
      onIdleError: (err) => errors.push(err),
    });
    try {
      await Promise.all([db.ping(), db.ping(), db.ping()]);
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      let terminated = 0;
      try {
        const killed = await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'orderline-idle-test'`,
        );
        terminated = killed.rowCount ?? 0;
      } finally {
        await admin.end();
      }
      expect(terminated).toBeGreaterThan(0);
      // Each terminated idle connection is reported once the pool notices it; then it is replaced.
      const deadline = Date.now() + 5000;
      while (errors.length < terminated && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(errors).toHaveLength(terminated);
      const result = await sql<{ one: number }>`select 1 as one`.execute(db.root);
      expect(result.rows[0]?.one).toBe(1);
    } finally {
      await db.close();
      await target.drop();
    }
  });
});
