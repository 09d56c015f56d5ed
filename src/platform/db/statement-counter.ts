import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/**
 * What the process asked of its database since start: round trips (every statement, BEGIN and
 * COMMIT included) and commits (committed transactions plus writes outside one, each of which
 * commits on its own). Read by /metrics and the bench to see statements and commits per call.
 */
export interface StatementStats {
  statements: number;
  commits: number;
  rollbacks: number;
  /** Sees every statement's SQL when set (tests and diagnostics that ask where the statements go). */
  onStatement?: ((sql: string) => void) | undefined;
}

const READ_RE = /^\s*(select|show|explain)\b/i;

/** A connection that counts what runs on it and knows whether it is inside a transaction. */
class CountingConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly stats: StatementStats,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.stats.statements++;
    this.stats.onStatement?.(query.sql);
    if (!this.inTransaction && !READ_RE.test(query.sql)) this.stats.commits++;
    return this.inner.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.stats.statements++;
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class CountingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly stats: StatementStats,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new CountingConnection(await this.inner.acquireConnection(), this.stats);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as CountingConnection;
    this.stats.statements++;
    this.stats.onStatement?.('BEGIN');
    await this.inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as CountingConnection;
    this.stats.statements++;
    this.stats.onStatement?.('COMMIT');
    c.inTransaction = false;
    await this.inner.commitTransaction(c.inner);
    this.stats.commits++;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as CountingConnection;
    this.stats.statements++;
    c.inTransaction = false;
    await this.inner.rollbackTransaction(c.inner);
    this.stats.rollbacks++;
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as CountingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Wraps a dialect so every statement and commit through it is counted in `stats`. */
export function countingDialect(inner: Dialect, stats: StatementStats): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new CountingDriver(inner.createDriver(), stats),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
  };
}
