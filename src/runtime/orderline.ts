import { type Clock, systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config/config.js';
import { createDatabase, type Database, pgliteDataDir } from '../platform/db/database.js';
import {
  type MigrationFile,
  migrateSchema,
  migrationStatus,
  readMigrations,
} from '../platform/db/migrations.js';
import {
  createEventing,
  type Eventing,
  platformMigrations,
  registerOperationsRoutes,
} from '../platform/eventing/index.js';
import { buildHttpApp, type ReadinessCheck } from '../platform/http/app.js';
import type { HttpApp } from '../platform/http/types.js';
import { createLogger, type Logger } from '../platform/logging/logger.js';
import type { Role, ServiceModule } from '../platform/module.js';
import { createMetrics, type Metrics, registerDatabaseMetrics } from '../platform/observability/metrics.js';
import { startTracing, type Tracing, tracingEnabled } from '../platform/observability/tracing.js';
import { registerRpcRoutes } from '../platform/rpc/rpc.server.js';
import type { RpcTable } from '../platform/rpc/rpc.types.js';
import { registerAdminConsole } from '../services/gateway/admin-console.js';
import { API_PREFIX, registerGateway } from '../services/gateway/gateway.js';
import { rateLimitSettings } from '../services/gateway/rate-limit.js';
import { seedDemoData } from './demo-seed.js';
import { peerUrl, type RemoteClients, RPC_TABLES, remoteClients } from './remote.js';
import { type Clients, resolveServices, SERVICE_NAMES, SERVICES, type ServiceName } from './services.js';

export interface OrderlineOptions {
  config: Config;
  /** Services to mount (default: all). */
  services?: readonly string[];
  role?: Role;
  /** Seed the demo catalog into an empty database. */
  demo?: boolean;
  logger?: Logger;
  clock?: Clock;
}

export interface Orderline {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  database: Database;
  modules: ServiceModule[];
  clients: Partial<Clients>;
  eventing: Eventing;
  /** The HTTP app (api role: the API; worker role: /healthz, /readyz, /metrics); not listening until `start()`. */
  app: HttpApp | undefined;
  /**
   * Starts the outbox relays, and in the worker role the consumers and jobs; then, unless
   * `listen: false` (tests use `app.inject`), listens. Returns the address, if listening.
   */
  start(options?: { listen?: boolean }): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Platform tables (outbox, inbox, dead letters, jobs, sagas) + the service's own, in order. */
function migrationSets(module: ServiceModule): MigrationFile[][] {
  const sets = [platformMigrations()];
  if (module.migrations) sets.push(readMigrations(module.migrations));
  return sets;
}

/** Applies every pending migration of the given services (start-up and `orderline migrate`). */
export async function migrateAll(
  database: Database,
  modules: ServiceModule[],
  logger: Logger,
): Promise<void> {
  for (const module of modules) {
    for (const files of migrationSets(module)) {
      const ran = await migrateSchema(database, module.name, files);
      if (ran.length > 0) logger.info({ schema: module.name, migrations: ran }, 'migrations applied');
    }
  }
}

/**
 * Builds the given services (in dependency order, from `resolveServices`) on one database, each
 * with its own schema and the clients of those built before it. Touches no data.
 */
export function buildModules(
  names: readonly ServiceName[],
  base: { config: Config; logger: Logger; database: Database; clock: Clock; metrics: Metrics },
  remote: Pick<RemoteClients, 'clients' | 'names'> = { clients: {}, names: [] },
): { modules: ServiceModule[]; clients: Partial<Clients> } {
  const clients: Partial<Clients> = { ...remote.clients };
  const local: ReadonlySet<ServiceName> = new Set(names);
  const enabled: ReadonlySet<ServiceName> = new Set([...names, ...remote.names]);
  const modules: ServiceModule[] = [];
  for (const name of names) {
    const deps = { ...base, logger: base.logger.child({ service: name }), db: base.database.forSchema(name) };
    const module = SERVICES[name].create(deps, clients, enabled, local) as ServiceModule<
      Clients[typeof name]
    >;
    (clients as Record<ServiceName, unknown>)[name] = module.client;
    modules.push(module);
  }
  return { modules, clients };
}

/**
 * The composition root of a process: builds the enabled services in dependency order on one
 * database, applies their migrations, runs their bootstrap, and (api role) mounts them behind the
 * gateway. The same code runs embedded (all services, PGlite) and distributed (a few services,
 * PostgreSQL).
 */
export async function createOrderline(options: OrderlineOptions): Promise<Orderline> {
  const { config } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const names = resolveServices(options.services, (name) => peerUrl(config, name) !== undefined);
  // Distributed mode: the services of other processes are reached over HTTP (platform/rpc).
  const remote = remoteClients(config, names, SERVICE_NAMES, names.join(','), logger);
  // Traces only with an endpoint (off by default in embedded mode); a test may have started its own.
  const tracing: Tracing | undefined =
    config.OTEL_EXPORTER_OTLP_ENDPOINT && !tracingEnabled()
      ? startTracing({ serviceName: config.OTEL_SERVICE_NAME, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
      : undefined;
  const database = await createDatabase({
    url: databaseUrl(config, names),
    dataDir: config.EPHEMERAL ? 'memory' : pgliteDataDir(config.DATA_DIR),
    poolMax: config.DATABASE_POOL_MAX,
    pglite: {
      sharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB,
      maxWalSizeMb: config.PGLITE_MAX_WAL_SIZE_MB,
      wasmCompiler: config.PGLITE_WASM_COMPILER,
    },
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    onIdleError: (err) => logger.error({ err }, 'idle database connection failed; the pool replaces it'),
  });
  registerDatabaseMetrics(metrics, database.stats);

  let clients: Partial<Clients> = {};
  let modules: ServiceModule[] = [];
  try {
    ({ clients, modules } = buildModules(names, { config, logger, database, clock, metrics }, remote));
    await migrateAll(database, modules, logger);
    for (const module of modules) await module.start?.({ role });
    // Demo data goes through every service's client: only where they all run here (embedded).
    if (options.demo && remote.names.length === 0) await seedDemoData(clients, logger);
  } catch (err) {
    await remote.close();
    await database.close();
    throw err;
  }

  let eventing: Eventing;
  try {
    eventing = createEventing({
      database,
      config,
      logger,
      metrics,
      clock,
      role,
      modules,
      knownServices: SERVICE_NAMES,
    });
  } catch (err) {
    await remote.close();
    await database.close();
    throw err;
  }

  let app: HttpApp | undefined;
  if (role === 'api' || role === 'all') {
    app = await buildHttpApp({
      logger: logger.child({ service: 'gateway' }),
      metrics,
      bodyLimit: config.BODY_LIMIT_BYTES,
      trustProxy: config.HTTP_TRUST_PROXY,
      docs: config.DOCS_ENABLED,
      readiness: [...readinessChecks(database, modules), ...eventing.readiness],
    });
    await registerGateway(app, {
      corsOrigins: config.CORS_ORIGINS,
      logger,
      authenticate: clients.auth ? (token) => clients.auth!.authenticate(token) : undefined,
      modules,
      rateLimits: { settings: rateLimitSettings(config), metrics },
    });
    // Other processes call this one's services on internal routes (service tokens only).
    if (config.SERVICE_TOKEN_SECRET) {
      const secret = config.SERVICE_TOKEN_SECRET;
      for (const module of modules)
        registerRpcRoutes(app, {
          service: module.name,
          table: RPC_TABLES[module.name as ServiceName] as RpcTable<unknown>,
          impl: module.client,
          secret,
        });
    }
    // Dead letters, compensations and jobs of every service mounted in this process.
    await app.register(
      async (api) => registerOperationsRoutes(api as HttpApp, { operations: eventing.operations }),
      {
        prefix: API_PREFIX,
      },
    );
    // The staff console (admin/dist), a client of the routes above like any other.
    await registerAdminConsole(app);
    await app.ready();
  } else {
    // A worker serves its probes and metrics only: database, migrations, bus consumers and jobs.
    app = await buildHttpApp({
      logger: logger.child({ service: 'worker' }),
      metrics,
      bodyLimit: config.BODY_LIMIT_BYTES,
      docs: false,
      readiness: [...readinessChecks(database, modules), ...eventing.readiness],
    });
    await app.ready();
  }

  let closed = false;
  let started = false;
  return {
    config,
    logger,
    metrics,
    database,
    modules,
    clients,
    eventing,
    app,
    async start(startOptions = {}) {
      if (started) throw new Error('Orderline is already started');
      started = true;
      await eventing.start();
      if (!app || startOptions.listen === false) return undefined;
      return app.listen({ host: config.HOST, port: config.PORT });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Stop taking requests, then drain the relays and consumers, then release the database.
      await app?.close();
      await eventing.stop();
      for (const module of [...modules].reverse()) await module.stop?.();
      await remote.close();
      await database.close();
      await tracing?.shutdown();
    },
  };
}

/**
 * The database of a process: `DATABASE_URL_<SERVICE>` of its services, else DATABASE_URL. The
 * services of one process share one connection pool, so they must name the same database.
 */
export function databaseUrl(config: Config, names: readonly ServiceName[]): string | undefined {
  const urls = new Set(names.map((name) => config.serviceDatabaseUrls[name] ?? config.DATABASE_URL));
  if (urls.size > 1)
    throw new Error(
      `Services ${names.join(', ')} have different databases (DATABASE_URL_<SERVICE>); run them in separate processes`,
    );
  return [...urls][0];
}

function readinessChecks(database: Database, modules: ServiceModule[]): ReadinessCheck[] {
  // Read the files once: readiness is polled often and the files do not change while running.
  const sets = modules.map((module) => ({ module, sets: migrationSets(module) }));
  return [
    {
      name: 'database',
      check: async () => {
        await database.ping();
        return undefined;
      },
    },
    {
      name: 'migrations',
      check: async () => {
        const pending: string[] = [];
        for (const { module, sets: moduleSets } of sets) {
          for (const files of moduleSets) {
            const status = await migrationStatus(database, module.name, files);
            pending.push(...status.pending.map((p) => `${module.name}/${p}`));
          }
        }
        return pending.length > 0 ? `pending: ${pending.join(', ')}` : undefined;
      },
    },
  ];
}
