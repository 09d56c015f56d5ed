import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test/databases.js';
import { PGLITE_MEMORY_DEFAULTS } from '../config/config.js';
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

describe('PGlite memory settings', () => {
  const show = async (db: Awaited<ReturnType<typeof createDatabase>>, name: string) =>
    (await sql<{ setting: string }>`select current_setting(${name}) as setting`.execute(db.root)).rows[0]
      ?.setting;

  it('bounds shared buffers and WAL, and skips full-page images in memory only', async () => {
    const inMemory = await createDatabase({
      dataDir: 'memory',
      pglite: { sharedBuffersMb: 24, maxWalSizeMb: 96 },
    });
    try {
      expect(await show(inMemory, 'shared_buffers')).toBe('24MB');
      expect(await show(inMemory, 'max_wal_size')).toBe('96MB');
      expect(await show(inMemory, 'min_wal_size')).toBe('32MB');
      expect(await show(inMemory, 'full_page_writes')).toBe('off');
      // initdb's postgresql.conf still applies beside them.
      expect(await show(inMemory, 'default_text_search_config')).toBe('pg_catalog.english');
    } finally {
      await inMemory.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderline-pglite-'));
    const onDisk = await createDatabase({ dataDir: dir });
    try {
      expect(await show(onDisk, 'shared_buffers')).toBe(`${PGLITE_MEMORY_DEFAULTS.sharedBuffersMb}MB`);
      expect(await show(onDisk, 'max_wal_size')).toBe(`${PGLITE_MEMORY_DEFAULTS.maxWalSizeMb}MB`);
      expect(await show(onDisk, 'full_page_writes')).toBe('on');
    } finally {
      await onDisk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
