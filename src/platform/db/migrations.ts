import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * Ordered SQL migrations per service schema, recorded in `<schema>.schema_migrations` with a
 * checksum so an edited, already-applied file is refused instead of silently diverging.
 * Files are named `NNNN_description.sql` and written without schema prefixes: each runs with
 * `search_path` set to its service's schema, in its own transaction.
 */
export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  schema: string;
  applied: string[];
  pending: string[];
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const SCHEMA_RE = /^[a-z][a-z0-9_]*$/;

/**
 * Reads a folder of migrations. `prefix` namespaces the versions when two sets share one schema's
 * ledger: the platform's own tables (outbox, inbox, …) are applied to every service schema as
 * `platform-0001` etc. before the service's `0001`….
 */
export function readMigrations(dir: string | URL, options: { prefix?: string } = {}): MigrationFile[] {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file) => {
    const match = FILE_RE.exec(file);
    if (!match) throw new Error(`Migration file name ${file} in ${path} must look like 0001_name.sql`);
    const text = readFileSync(join(path, file), 'utf8');
    return {
      version: options.prefix ? `${options.prefix}-${match[1]!}` : match[1]!,
      name: match[2]!,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
}

const ident = (schema: string): string => {
  if (!SCHEMA_RE.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  return `"${schema}"`;
};

const lockStatement = (schema: string): string =>
  `SELECT pg_advisory_xact_lock(hashtext('orderline:migrate:${schema}'));`;

/** Creates the schema and its ledger under the schema's lock: IF NOT EXISTS alone races on PostgreSQL. */
async function ensureLedger(db: Database, schema: string): Promise<void> {
  await db.execScript(
    `BEGIN;
     ${lockStatement(schema)}
     CREATE SCHEMA IF NOT EXISTS ${ident(schema)};
     CREATE TABLE IF NOT EXISTS ${ident(schema)}.schema_migrations (
       version text PRIMARY KEY,
       name text NOT NULL,
       checksum text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     );
     COMMIT;`,
  );
}

async function appliedMigrations(db: Database, schema: string): Promise<Map<string, string>> {
  const rows = await sql<{ version: string; checksum: string }>`
    select version, checksum from ${sql.table(`${schema}.schema_migrations`)} order by version`.execute(
    db.root,
  );
  return new Map(rows.rows.map((r) => [r.version, r.checksum]));
}

/**
 * Applies pending migrations of one schema. Several processes may start at once in distributed
 * mode: a transaction-scoped advisory lock per schema lets one apply while the others wait, and
 * each re-checks what is applied after acquiring it.
 */
export async function migrateSchema(db: Database, schema: string, files: MigrationFile[]): Promise<string[]> {
  await ensureLedger(db, schema);
  const applied = await appliedMigrations(db, schema);
  const ran: string[] = [];
  for (const file of files) {
    const known = applied.get(file.version);
    if (known !== undefined) {
      if (known !== file.checksum)
        throw new Error(
          `Migration ${schema}/${file.version}_${file.name} was changed after it was applied; add a new migration instead`,
        );
      continue;
    }
    const script = `BEGIN;
${lockStatement(schema)}
SET LOCAL search_path TO ${ident(schema)}, public;
DO $orderline$ BEGIN
  IF EXISTS (SELECT 1 FROM ${ident(schema)}.schema_migrations WHERE version = '${file.version}') THEN
    RAISE EXCEPTION 'orderline-migration-already-applied';
  END IF;
END $orderline$;
${file.sql}
;
INSERT INTO ${ident(schema)}.schema_migrations (version, name, checksum)
  VALUES ('${file.version}', '${file.name}', '${file.checksum}');
COMMIT;`;
    try {
      await db.execScript(script);
      ran.push(`${file.version}_${file.name}`);
    } catch (err) {
      // Another process applied it while we waited for the lock: that is success, not failure.
      if (String((err as Error).message).includes('orderline-migration-already-applied')) continue;
      throw new Error(`Migration ${schema}/${file.version}_${file.name} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return ran;
}

export async function migrationStatus(
  db: Database,
  schema: string,
  files: MigrationFile[],
): Promise<MigrationStatus> {
  const exists = await sql<{ present: boolean }>`
    select to_regclass(${`${schema}.schema_migrations`}) is not null as present`.execute(db.root);
  const applied = exists.rows[0]?.present ? await appliedMigrations(db, schema) : new Map<string, string>();
  return {
    schema,
    applied: [...applied.keys()],
    pending: files.filter((f) => !applied.has(f.version)).map((f) => `${f.version}_${f.name}`),
  };
}
