import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, TEST_DATABASES } from '../../../test/databases.js';
import { createDatabase, type Database } from './database.js';
import { migrateSchema, migrationStatus, readMigrations } from './migrations.js';

function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'orderline-mig-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe.each(TEST_DATABASES)('migrations on %s', (kind) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      drop = pg.drop;
      db = await createDatabase({ url: pg.url });
    } else {
      db = await createDatabase({});
    }
  });
  afterAll(async () => {
    await db.close();
    await drop?.();
  });

  it('applies files in order into the service schema, once', async () => {
    const dir = migrationDir({
      '0002_add_stock.sql': 'ALTER TABLE items ADD COLUMN stock int NOT NULL DEFAULT 0 CHECK (stock >= 0);',
      '0001_init.sql':
        'CREATE TABLE items (id uuid PRIMARY KEY, name text NOT NULL);\nCREATE INDEX items_name ON items (name);',
    });
    const files = readMigrations(dir);
    expect(files.map((f) => f.version)).toEqual(['0001', '0002']);
    expect(await migrateSchema(db, 'shop', files)).toEqual(['0001_init', '0002_add_stock']);
    expect(await migrateSchema(db, 'shop', files)).toEqual([]);
    const cols = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'shop' and table_name = 'items' order by column_name`.execute(db.root);
    expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'name', 'stock']);
    expect(await migrationStatus(db, 'shop', files)).toEqual({
      schema: 'shop',
      applied: ['0001', '0002'],
      pending: [],
    });
  });

  it('keeps schemas apart: the same file applies to two services independently', async () => {
    const files = readMigrations(
      migrationDir({ '0001_init.sql': 'CREATE TABLE things (id int PRIMARY KEY);' }),
    );
    await migrateSchema(db, 'svc_a', files);
    await migrateSchema(db, 'svc_b', files);
    await db.forSchema<{ things: { id: number } }>('svc_a').insertInto('things').values({ id: 1 }).execute();
    const b = await db
      .forSchema<{ things: { id: number } }>('svc_b')
      .selectFrom('things')
      .selectAll()
      .execute();
    expect(b).toEqual([]);
  });

  it('rolls back a failing migration completely and reports it', async () => {
    const files = readMigrations(
      migrationDir({ '0001_bad.sql': 'CREATE TABLE half (id int);\nSELECT no_such_column FROM half;' }),
    );
    await expect(migrateSchema(db, 'broken', files)).rejects.toThrow(/broken\/0001_bad failed/);
    const table = await sql<{ t: string | null }>`select to_regclass('broken.half')::text as t`.execute(
      db.root,
    );
    expect(table.rows[0]?.t).toBeNull();
    expect((await migrationStatus(db, 'broken', files)).pending).toEqual(['0001_bad']);
    // The session is usable again after the failure.
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('refuses an applied migration whose file was edited', async () => {
    const dir = migrationDir({ '0001_init.sql': 'CREATE TABLE t1 (id int);' });
    await migrateSchema(db, 'edited', readMigrations(dir));
    writeFileSync(join(dir, '0001_init.sql'), 'CREATE TABLE t1 (id bigint);');
    await expect(migrateSchema(db, 'edited', readMigrations(dir))).rejects.toThrow(
      /changed after it was applied/,
    );
  });

  it('lets concurrent migrators apply each file once', async () => {
    const files = readMigrations(
      migrationDir({
        '0001_init.sql': 'CREATE TABLE once (id int PRIMARY KEY);',
        '0002_more.sql': 'CREATE TABLE twice (id int);',
      }),
    );
    const results = await Promise.all([migrateSchema(db, 'racy', files), migrateSchema(db, 'racy', files)]);
    expect(results.flat().sort()).toEqual(['0001_init', '0002_more']);
  });

  it('namespaces platform migrations with a prefix', () => {
    const files = readMigrations(migrationDir({ '0001_outbox.sql': 'select 1;' }), { prefix: 'platform' });
    expect(files[0]?.version).toBe('platform-0001');
  });

  it('rejects badly named files', () => {
    expect(() => readMigrations(migrationDir({ 'init.sql': 'select 1;' }))).toThrow(
      /must look like 0001_name.sql/,
    );
  });
});
