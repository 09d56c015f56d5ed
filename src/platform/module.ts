import type { Kysely } from 'kysely';
import type { Topic } from '../contracts/index.js';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import type { AnyConsumerDeclaration, JobDeclaration } from './eventing/declarations.js';
import type { HttpApp } from './http/types.js';
import type { Logger } from './logging/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { CompensationHandlers } from './saga/compensation.types.js';

/**
 * What the platform hands every service's composition root (`createXModule(deps)`). A service
 * sees only its own schema (`db`), plus the clients of the services it names as dependencies,
 * which the runtime passes in beside these.
 */
export interface PlatformDeps<DB = unknown> {
  config: Config;
  logger: Logger;
  /** Kysely bound to the service's own schema. */
  db: Kysely<DB>;
  /** The process database (migrations, readiness): platform mechanisms only. */
  database: Database;
  clock: Clock;
  metrics: Metrics;
}

/** Which process role is running: `api` serves HTTP, `worker` runs consumers and jobs. */
export type Role = 'api' | 'worker' | 'all';

/**
 * The module contract. Every service's `module.ts` returns one of these; the runtime mounts the
 * routes under `/api/v1` (api role), runs consumers and jobs (worker role), and hands `client` to
 * the services that depend on this one.
 */
export interface ServiceModule<TClient = unknown> {
  /** Service name; also the name of the PostgreSQL schema it owns. */
  readonly name: string;
  /** Folder of ordered `NNNN_name.sql` migrations for the service's schema. */
  readonly migrations?: URL;
  /** Registers the service's public routes; the runtime prefixes them with `/api/v1`. */
  routes?(app: HttpApp): void | Promise<void>;
  /** The typed interface other services call (in-process here; HTTP in distributed mode). */
  readonly client: TClient;
  /** Topics this service writes to its outbox (`tx.publish`); each must name it as publisher in src/contracts. */
  readonly publishes?: readonly Topic[];
  /** Event subscriptions, run through the inbox in the worker role (docs/eventing.md). */
  readonly consumers?: readonly AnyConsumerDeclaration[];
  /** Scheduled jobs, run once per tick across replicas in the worker role (G7). */
  readonly jobs?: readonly JobDeclaration[];
  /** Retry handlers for `failed_compensations` rows, keyed by their `action` (G5). */
  readonly compensations?: CompensationHandlers;
  /** Runs once after migrations in every role that mounts the module (bootstrap data). */
  start?(ctx: { role: Role }): Promise<void>;
  stop?(): Promise<void>;
}
