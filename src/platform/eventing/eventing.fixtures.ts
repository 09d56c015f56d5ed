import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { type Config, loadConfig } from '../config/config.js';
import { createDatabase, type Database } from '../db/database.js';
import { migrateSchema } from '../db/migrations.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { platformMigrations } from './platform.tables.js';

/**
 * Test fixtures for the eventing tests (not used in production code): databases on PGlite and,
 * when DATABASE_URL is set, on a fresh PostgreSQL database per call; a bounded wait helper; small
 * retry delays; and a TCP proxy that can take a broker "down" and bring it back.
 */
export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  database: Database;
  cleanup(): Promise<void>;
}

export const databaseKinds = (): ('pglite' | 'postgres')[] =>
  process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export const uniqueName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

export async function createTestDatabase(
  kind: 'pglite' | 'postgres',
  schemas: string[],
  extraSql = '',
): Promise<TestDatabase> {
  let database: Database;
  let drop = async () => {};
  if (kind === 'pglite') database = await createDatabase({});
  else {
    const adminUrl = process.env.DATABASE_URL!;
    const name = uniqueName('orderline_evt');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    database = await createDatabase({ url: url.toString(), poolMax: 8 });
    drop = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // Without FORCE: terminating our own closing pool connections would surface as uncaught errors.
        await waitFor(
          () =>
            client.query(`DROP DATABASE IF EXISTS ${name}`).then(
              () => true,
              (err: Error) => {
                if (/being accessed by other users/.test(err.message)) return false;
                throw err;
              },
            ),
          `drop test database ${name}`,
          5000,
        );
      } finally {
        await client.end();
      }
    };
  }
  for (const schema of schemas) await migrateSchema(database, schema, platformMigrations());
  if (extraSql) await database.execScript(extraSql);
  return {
    kind,
    database,
    cleanup: async () => {
      await database.close();
      await drop();
    },
  };
}

/** Small delays so retry paths run in milliseconds; `overrides` win. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    {},
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_MIN_MS: '5',
      // The platform's bus scenarios exercise batching (off by default in the product for now).
      CONSUMER_BATCH_SIZE: '64',
      OUTBOX_POLL_MAX_MS: '100',
      OUTBOX_LEASE_MS: '300',
      OUTBOX_RETRY_BASE_MS: '20',
      OUTBOX_RETRY_MAX_MS: '200',
      BUS_PUBLISH_TIMEOUT_MS: '1000',
      CONSUMER_RETRY_DELAYS_MS: '5,10',
      CONSUMER_REDELIVERY_BASE_MS: '20',
      CONSUMER_REDELIVERY_MAX_MS: '100',
      CONSUMER_MAX_DELIVERIES: '3',
      CONSUMER_ACK_WAIT_MS: '2000',
      ...overrides,
    },
  );
}

/** A valid `catalog.product.created` payload: the event the platform's own eventing tests publish. */
export const productCreated = (productId: string, name = 'Blue mug') => ({
  productId,
  sku: `SKU-${productId.slice(0, 8)}`,
  name,
  category: 'kitchen',
  status: 'active' as const,
  occurredAt: new Date().toISOString(),
});

export const testLogger = (): Logger =>
  createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', service: 'test' });

/** Polls `condition` until it returns true; fails with `message` after `timeoutMs` (no sleeps in assertions). */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await condition()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for: ${message}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

export interface TcpProxy {
  url: string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** Forwards a local port to `target` (redis://host:port, nats://host:port); `down()` cuts every connection. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  let isDown = false;
  const { connect } = await import('node:net');
  const server = createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(t.port), t.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${t.protocol}//127.0.0.1:${port}`,
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      isDown = false;
    },
    close: async () => {
      isDown = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
