import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Test databases: PGlite always; PostgreSQL too when DATABASE_URL is set (CI). Tests iterate over
 * this list so every database test runs on both dialects.
 */
export type TestDatabase = 'pglite' | 'postgres';
export const TEST_DATABASES: TestDatabase[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export const ADMIN_EMAIL = 'admin@test.orderline.local';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

/** Creates a uniquely named PostgreSQL database for one test file and returns its URL and a dropper. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const name = `orderline_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
