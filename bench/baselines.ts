import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/platform/db/database.js';
import { newId } from '../src/platform/ids.js';
import { type Latency, latency } from './stats.js';
import type { Target } from './target.js';

/**
 * Raw baselines measured in the same run, on the same database and machine:
 * - the checkout's writes issued straight to the database on a scratch schema: reserve
 *   (conditional UPDATE) + order insert + 3 item inserts + outbox insert in one transaction
 *   (BEGIN … COMMIT = 8 statements), and the same work as ONE statement (a CTE);
 * - a bare Fastify server (no validation, no auth, no services) with routes that do exactly that,
 *   and routes that return a captured product list / detail body, for the HTTP figures.
 */
const SCHEMA = 'bench_scratch';
const SCRATCH_SKUS = 2000;

const SCRATCH_SQL = `
DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
CREATE SCHEMA ${SCHEMA};
CREATE TABLE ${SCHEMA}.stock (sku text PRIMARY KEY, on_hand integer NOT NULL, reserved integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 0, CHECK (reserved >= 0 AND reserved <= on_hand));
CREATE TABLE ${SCHEMA}.orders (id uuid PRIMARY KEY, status text NOT NULL, currency text NOT NULL,
  total bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ${SCHEMA}.order_items (order_id uuid NOT NULL REFERENCES ${SCHEMA}.orders (id), line integer NOT NULL,
  sku text NOT NULL, quantity integer NOT NULL, unit_price bigint NOT NULL, PRIMARY KEY (order_id, line));
CREATE TABLE ${SCHEMA}.outbox (id uuid PRIMARY KEY, topic text NOT NULL, key text NOT NULL, envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO ${SCHEMA}.stock (sku, on_hand) SELECT 'S' || g, 1000000000 FROM generate_series(1, ${SCRATCH_SKUS}) g;`;

const RESERVE = `UPDATE ${SCHEMA}.stock SET reserved = reserved + $2, version = version + 1
  WHERE sku = $1 AND on_hand - reserved >= $2 RETURNING reserved`;
const ORDER = `INSERT INTO ${SCHEMA}.orders (id, status, currency, total) VALUES ($1, 'pending', 'USD', $2)`;
const ITEM = `INSERT INTO ${SCHEMA}.order_items (order_id, line, sku, quantity, unit_price) VALUES ($1, $2, $3, 1, 1250)`;
const OUTBOX = `INSERT INTO ${SCHEMA}.outbox (id, topic, key, envelope) VALUES ($1, 'orders.order.status_changed', $2, $3)`;
const ONE_STATEMENT = `WITH r AS (${RESERVE}),
  o AS (INSERT INTO ${SCHEMA}.orders (id, status, currency, total) SELECT $3, 'pending', 'USD', $4 FROM r RETURNING id),
  i AS (INSERT INTO ${SCHEMA}.order_items (order_id, line, sku, quantity, unit_price)
        SELECT o.id, v.line, $1, 1, 1250 FROM o, (VALUES (1), (2), (3)) AS v (line)),
  x AS (INSERT INTO ${SCHEMA}.outbox (id, topic, key, envelope)
        SELECT $5, 'orders.order.status_changed', o.id::text, $6::jsonb FROM o)
  SELECT count(*) FROM r`;

/** An outbox envelope of the size the real checkout writes. */
const envelope = (orderId: string) =>
  JSON.stringify({
    specversion: '1.0',
    id: newId(),
    source: 'order',
    type: 'orders.order.status_changed',
    subject: orderId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    schemaversion: '1',
    data: {
      orderId,
      oldStatus: null,
      newStatus: 'pending',
      sequence: 1,
      currency: 'USD',
      paymentMethod: 'card',
    },
  });

type Query = (text: string, params: unknown[]) => Promise<unknown>;

export interface RawSql {
  /** One checkout-shaped transaction (8 statements); `hot`: on one of 3 rows, like the hot-SKU run. */
  transaction(hot?: boolean): Promise<void>;
  /** The same work as one statement. */
  oneStatement(): Promise<void>;
  /** A one-row transaction (the least an idempotent consumer does per event). */
  oneRowTransaction(): Promise<void>;
  close(): Promise<void>;
}

/**
 * On PostgreSQL the baselines run on the run's own database (a pool of the platform's size). PGlite
 * lives inside the platform process, out of reach: they run on a PGlite of their own in this
 * process — same engine and version, one session like the platform's.
 */
export async function createRawSql(target: Pick<Target, 'kind' | 'url'>, poolMax: number): Promise<RawSql> {
  const scratch = `${SCRATCH_SQL}\nCREATE TABLE ${SCHEMA}.inbox (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());`;
  let inTx: (fn: (q: Query) => Promise<void>) => Promise<void>;
  let single: Query;
  let close: () => Promise<void>;
  if (target.kind === 'postgres') {
    if (!target.url) throw new Error('postgres target without a database URL');
    // PostgreSQL: a pool of the platform's size, straight through node-postgres.
    const pool = new pg.Pool({ connectionString: target.url, max: poolMax });
    await pool.query(scratch);
    inTx = async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await fn((text, params) => client.query(text, params));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    };
    single = (text, params) => pool.query(text, params);
    close = () => pool.end();
  } else {
    const database = await createDatabase({ dataDir: 'memory' });
    await database.execScript(scratch);
    const root = database.root;
    inTx = (fn) =>
      root
        .transaction()
        .execute((trx) => fn((text, params) => trx.executeQuery(CompiledQuery.raw(text, params))));
    single = (text, params) => root.executeQuery(CompiledQuery.raw(text, params));
    close = () => database.close();
  }
  const sku = () => `S${1 + Math.floor(Math.random() * SCRATCH_SKUS)}`;
  return {
    transaction: (hot = false) =>
      inTx(async (q) => {
        const orderId = newId();
        const s = hot ? `S${1 + Math.floor(Math.random() * 3)}` : sku();
        const reserved = (await q(RESERVE, [s, 1])) as { rows?: unknown[] };
        if (reserved.rows?.length === 0) throw new Error('scratch stock exhausted');
        await q(ORDER, [orderId, 4248]);
        for (const line of [1, 2, 3]) await q(ITEM, [orderId, line, s]);
        await q(OUTBOX, [newId(), orderId, envelope(orderId)]);
      }),
    oneStatement: async () => {
      const orderId = newId();
      await single(ONE_STATEMENT, [sku(), 1, orderId, 4248, newId(), envelope(orderId)]);
    },
    oneRowTransaction: () =>
      inTx(async (q) => {
        await q(`INSERT INTO ${SCHEMA}.inbox (event_id) VALUES ($1)`, [newId()]);
      }),
    close,
  };
}

export interface ClosedLoopResult {
  perSecond: number;
  latency: Latency;
  completed: number;
}

/** Runs `fn` from `concurrency` loops for `durationMs` (the raw-SQL baselines run in this process). */
export async function closedLoop(
  fn: () => Promise<void>,
  concurrency: number,
  durationMs: number,
): Promise<ClosedLoopResult> {
  const samples: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await fn();
        samples.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  return {
    perSecond: (samples.length * 1000) / elapsed,
    latency: latency(samples),
    completed: samples.length,
  };
}

export interface BareServer {
  origin: string;
  close(): Promise<void>;
}

/** Real response bodies captured from the platform, so the bare routes serialize as much. */
export interface CapturedBodies {
  cart: string;
  cartView: string;
  options: string;
  order: string;
  list: string;
  detail: string;
}

/**
 * A bare Fastify server: the least any HTTP route can cost on this machine. Under `/bare` it has
 * the purchase flow's routes (same methods, paths and response bodies, no validation, no auth, no
 * services), the checkout doing the checkout-shaped transaction, and the two read routes.
 */
export async function startBareServer(raw: RawSql, bodies: CapturedBodies): Promise<BareServer> {
  const app: FastifyInstance = Fastify({ logger: false });
  const json = (status: number, body: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.code(status).type('application/json').send(body);
  app.post('/bare/carts', json(201, bodies.cart));
  app.post('/bare/carts/:id/items', json(200, bodies.cartView));
  app.put('/bare/carts/:id/shipping-address', json(200, bodies.cartView));
  app.get('/bare/carts/:id/shipping-options', json(200, bodies.options));
  app.put('/bare/carts/:id/shipping-method', json(200, bodies.cartView));
  app.post('/bare/checkout', async (_req, reply) => {
    await raw.transaction();
    return reply.code(201).type('application/json').send(bodies.order);
  });
  app.get('/bare/products', json(200, bodies.list));
  app.get('/bare/products/:id', json(200, bodies.detail));
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return { origin, close: () => app.close() };
}
