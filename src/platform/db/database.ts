import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGLITE_MEMORY_DEFAULTS } from '../config/config.js';
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
  readonly stats: Readonly<Omit<StatementStats, 'onStatement'>> & Pick<StatementStats, 'onStatement'>;
}

const INT8_OID = 20;

export interface DatabaseOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `undefined` or `memory` keeps everything in memory. */
  dataDir?: string | undefined;
  /** PGlite memory (`PGLITE_*` settings); PostgreSQL's server has its own configuration. */
  pglite?: { sharedBuffersMb?: number; maxWalSizeMb?: number; wasmCompiler?: 'optimizing' | 'tiered' };
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
  return options.url ? createPostgres(options.url, options) : createPglite(options.dataDir, options.pglite);
}

/** The PGlite directory inside the configured data dir (`./.data` by default). */
export const pgliteDataDir = (dataDir: string): string => join(dataDir, 'pg');

/**
 * Settings of the embedded database, as `name=value`. PGlite's WebAssembly memory grows to the largest
 * size PostgreSQL ever used and never shrinks: shared buffers and WAL are bounded here instead of
 * PostgreSQL's server-sized defaults. In memory (no data directory) the WAL files are memory too
 * and there is no crash to recover from, so full-page images are not written either.
 */
export function pgliteSettings(inMemory: boolean, memory: DatabaseOptions['pglite'] = {}): string[] {
  const sharedBuffersMb = memory.sharedBuffersMb ?? PGLITE_MEMORY_DEFAULTS.sharedBuffersMb;
  const maxWalSizeMb = memory.maxWalSizeMb ?? PGLITE_MEMORY_DEFAULTS.maxWalSizeMb;
  return [
    `shared_buffers=${sharedBuffersMb}MB`,
    `max_wal_size=${maxWalSizeMb}MB`,
    // The least PostgreSQL accepts (two segments): WAL kept for reuse is memory too.
    'min_wal_size=32MB',
    ...(inMemory ? ['full_page_writes=off'] : []),
  ];
}

/**
 * A new PGlite runs initdb in a second, throw-away PGlite (its own WebAssembly memory and an
 * in-memory copy of the data directory: some 350 MB) and copies the result over. That is garbage
 * once PGlite is ready, but an idle V8 keeps it for as long as the process lives (measured: 725 MB
 * at rest instead of 368 MB, ten seconds and more after start-up). Two full collections on later
 * turns of the event loop hand it back: the first frees the data directory's buffers and the
 * throw-away instance's finalizers, the second its WebAssembly memory (the start-up call stack
 * still holds it before that). `gc` is exposed only with `--expose-gc`; the flag set at run time
 * applies to contexts created afterwards, so a fresh context lends the function.
 */
function releaseStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setTimeout(() => {
    gc();
    setTimeout(gc, 200).unref();
  }, 0).unref();
}

async function createPglite(
  dataDir: string | undefined,
  memory: DatabaseOptions['pglite'],
): Promise<Database> {
  // V8 compiles WebAssembly with its baseline compiler (Liftoff) first and hot functions again with
  // the optimizing one, keeping both: for PostgreSQL's 10 MB module that is ≈ 90 MB of machine code
  // more than optimizing everything once (measured: 397 → 306 MB for PGlite alone, same query
  // times). The flag is read when a module is compiled, so it applies to PGlite's from here on.
  if ((memory?.wasmCompiler ?? PGLITE_MEMORY_DEFAULTS.wasmCompiler) === 'optimizing')
    setFlagsFromString('--no-liftoff');
  // Loaded here, not at the top: a process on PostgreSQL never loads PGlite's modules.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  const inMemory = !dataDir || dataDir === 'memory';
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // int8 → bigint on both dialects, so money and counters have one JS type everywhere.
  // Options go in the first argument: PGlite ignores the second one when no data dir string is given.
  const client = new PGlite({
    ...(inMemory ? {} : { dataDir }),
    parsers: { [INT8_OID]: (value: string) => BigInt(value) },
    // Command-line settings on top of PGlite's own (its `postgresqlconf` option would replace the
    // postgresql.conf initdb wrote, and that file's settings with it).
    startParams: [
      ...PGlite.defaultStartParams,
      ...pgliteSettings(inMemory, memory).flatMap((s) => ['-c', s]),
    ],
  });
  await client.waitReady;
  releaseStartupGarbage();
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
