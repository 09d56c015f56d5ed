import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { countingDialect, type StatementStats } from './statement-counter.js';

/**
 * The root handle spans every schema, so no single table map types it: platform code that uses
 * it (migrations, health, tests) names tables with `withSchema`.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDB = any;

/**
 * The database port every service uses. One Kysely per process (conventions §6); a service gets a
 * view bound to its own schema through `forSchema`, so it can never reach another service's
 * tables by accident. The same SQL runs on PGlite (embedded) and PostgreSQL.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Root handle: platform code only (migrations, health). Services use `forSchema`. */
  readonly root: Kysely<AnyDB>;
  forSchema<DB>(schema: string): Kysely<DB>;
  /** Runs a multi-statement SQL script on one session (migrations). */
  execScript(script: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Statements and commits issued since start (live counters; /metrics and the bench read them). */
  readonly stats: Readonly<StatementStats>;
}

const INT8_OID = 20;

export interface DatabaseOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `undefined` or `memory` keeps everything in memory. */
  dataDir?: string | undefined;
  poolMax?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /**
   * Errors of idle pooled connections (the server restarted or terminated them). node-postgres
   * emits them on the pool; without a listener they crash the process. The pool replaces the
   * connection by itself, so this is for logging.
   */
  onIdleError?: (err: Error) => void;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? createPostgres(options.url, options) : createPglite(options.dataDir);
}

/** The PGlite directory inside the configured data dir (`./.data` by default). */
export const pgliteDataDir = (dataDir: string): string => join(dataDir, 'pg');

async function createPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir && dataDir !== 'memory') mkdirSync(dataDir, { recursive: true });
  // int8 → bigint on both dialects, so money and counters have one JS type everywhere.
  // Options go in the first argument: PGlite ignores the second one when no data dir string is given.
  const client = new PGlite({
    ...(dataDir && dataDir !== 'memory' ? { dataDir } : {}),
    parsers: { [INT8_OID]: (value: string) => BigInt(value) },
  });
  await client.waitReady;
  const stats = newStats();
  const root = new Kysely<AnyDB>({ dialect: countingDialect(new PGliteDialect(client), stats) });
  return wrap('pglite', root, stats, async (script) => {
    // Holding a Kysely connection serializes us with every other query on the single PGlite session.
    await root.connection().execute(async () => {
      await rollbackOnError(script, (text) => client.exec(text));
    });
  });
}

async function createPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'orderline',
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => BigInt(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (err) => {
    if (options.onIdleError) options.onIdleError(err);
    else process.emitWarning(`idle PostgreSQL connection failed: ${err.message}`);
  });
  const stats = newStats();
  const root = new Kysely<AnyDB>({ dialect: countingDialect(new PostgresDialect({ pool }), stats) });
  return wrap('postgres', root, stats, async (script) => {
    // No parameters → node-postgres uses the simple query protocol, which accepts several statements.
    await root.connection().execute(async (conn) => {
      await rollbackOnError(script, (text) => sql.raw(text).execute(conn));
    });
  });
}

/**
 * A failed script that opened a transaction leaves its session in an aborted transaction; roll it
 * back on that same session before the connection goes back to the pool.
 */
async function rollbackOnError(script: string, run: (text: string) => Promise<unknown>): Promise<void> {
  try {
    await run(script);
  } catch (err) {
    await run('ROLLBACK');
    throw err;
  }
}

const newStats = (): StatementStats => ({ statements: 0, commits: 0, rollbacks: 0 });

function wrap(
  kind: Database['kind'],
  root: Kysely<AnyDB>,
  stats: StatementStats,
  execScript: (s: string) => Promise<void>,
): Database {
  return {
    kind,
    root,
    stats,
    forSchema: <DB>(schema: string) => root.withSchema(schema) as unknown as Kysely<DB>,
    execScript,
    ping: async () => {
      await sql`select 1`.execute(root);
    },
    close: () => root.destroy(),
  };
}
