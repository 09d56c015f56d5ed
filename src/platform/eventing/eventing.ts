import type { Topic } from '../../contracts/index.js';
import { createBus } from '../bus/bus.factory.js';
import type { BusSubscription, EventBus } from '../bus/bus.types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { ReadinessCheck } from '../http/app.js';
import { createBatchHandler } from '../inbox/consumer.runner.js';
import { openDeadLetterCount } from '../inbox/dead-letter.store.js';
import { purgeProcessedEvents } from '../inbox/inbox.js';
import type { Logger } from '../logging/logger.js';
import type { Role } from '../module.js';
import type { Metrics } from '../observability/metrics.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { createOutboxStore, type OutboxStore } from '../outbox/outbox.store.js';
import { compensationCounts, retryDueCompensations } from '../saga/compensation.store.js';
import type { CompensationHandlers } from '../saga/compensation.types.js';
import { purgeJobRuns } from '../scheduler/job-run.store.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { AnyConsumerDeclaration, JobDeclaration } from './declarations.js';
import { eventingMetrics } from './eventing.metrics.js';
import { createOperations, type Operations } from './operations.js';
import type { PlatformTables } from './platform.tables.js';
import { validateTopology } from './topology.js';

/** The part of a ServiceModule the eventing layer reads. */
export interface EventingModule {
  readonly name: string;
  readonly publishes?: readonly Topic[];
  readonly consumers?: readonly AnyConsumerDeclaration[];
  readonly jobs?: readonly JobDeclaration[];
  readonly compensations?: CompensationHandlers;
}

export interface EventingOptions {
  database: Database;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  role: Role;
  modules: readonly EventingModule[];
  /** A ready bus (tests, fault injection); otherwise one is created from BUS_URL at start. */
  bus?: EventBus;
  /** Every service of the registry, mounted here or not: contracts may name no other consumer. */
  knownServices?: readonly string[];
  /** Fault port: wraps each service's outbox store (e.g. to crash between publish and mark). */
  wrapOutboxStore?: (service: string, store: OutboxStore) => OutboxStore;
}

export interface Eventing {
  /** Relays in every role; consumers and jobs in `worker` and `all`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly readiness: ReadinessCheck[];
  readonly operations: Operations;
  /** The bus once started. */
  bus(): EventBus;
  relay(service: string): OutboxRelay | undefined;
  scheduler(service: string): Scheduler | undefined;
}

const DAY_MS = 86_400_000;

/** Adds the platform's own jobs: inbox/job-run purge for consumers, compensation retries (G5). */
function withPlatformJobs(m: EventingModule, o: EventingOptions): EventingModule {
  const { config, database, logger, clock } = o;
  const db = database.forSchema<PlatformTables>(m.name);
  const jobs: JobDeclaration[] = [...(m.jobs ?? [])];
  jobs.push({
    name: 'platform.housekeeping',
    cron: '17 3 * * *',
    handler: async () => {
      const inbox = await purgeProcessedEvents(
        db,
        new Date(clock.now().getTime() - config.INBOX_RETENTION_HOURS * 3_600_000),
      );
      const runs = await purgeJobRuns(db, new Date(clock.now().getTime() - 90 * DAY_MS));
      return inbox + runs;
    },
  });
  if (m.compensations && Object.keys(m.compensations).length > 0) {
    const handlers = m.compensations;
    jobs.push({
      name: 'platform.compensation-retry',
      cron: config.COMPENSATION_RETRY_CRON,
      handler: () =>
        retryDueCompensations({
          service: m.name,
          db,
          handlers,
          policy: {
            maxAttempts: config.COMPENSATION_MAX_ATTEMPTS,
            baseMs: config.COMPENSATION_RETRY_BASE_MS,
            maxMs: config.COMPENSATION_RETRY_MAX_MS,
          },
          logger,
          metrics: eventingMetrics(o.metrics),
          clock,
        }),
    });
  }
  return { ...m, jobs };
}

export function createEventing(options: EventingOptions): Eventing {
  const { database, config, logger, clock, role } = options;
  // Issue 19: fail at start-up, naming each problem (01-platform.md: invalid setup stops the process).
  const problems = validateTopology(options.modules, {
    ...(options.knownServices ? { knownServices: options.knownServices } : {}),
  });
  if (problems.length > 0) throw new Error(`Invalid eventing topology:\n  - ${problems.join('\n  - ')}`);
  const modules = options.modules.map((m) => withPlatformJobs(m, options));
  const metrics = eventingMetrics(options.metrics);
  const runsWorkers = role === 'worker' || role === 'all';
  const relays = new Map<string, OutboxRelay>();
  const schedulers = new Map<string, Scheduler>();
  const subscriptions: BusSubscription[] = [];
  let bus: EventBus | undefined = options.bus;
  let started = false;
  const db = (service: string) => database.forSchema<PlatformTables>(service);

  const collector = async () => {
    for (const m of modules) {
      const stats = await createOutboxStore(db(m.name)).stats();
      metrics.outboxDepth.set({ service: m.name, status: 'pending' }, stats.pending);
      metrics.outboxDepth.set({ service: m.name, status: 'failed' }, stats.failed);
      const age = stats.oldestUnpublishedAt
        ? (clock.now().getTime() - stats.oldestUnpublishedAt.getTime()) / 1000
        : 0;
      metrics.outboxOldestAge.set({ service: m.name }, Math.max(0, age));
      metrics.dlqDepth.set({ service: m.name }, await openDeadLetterCount(db(m.name)));
      const counts = await compensationCounts(db(m.name));
      for (const status of ['pending', 'exhausted'] as const)
        metrics.failedCompensations.set({ service: m.name, status }, counts[status] ?? 0);
    }
    for (const s of schedulers.values()) await s.collectMetrics();
  };

  const settings = {
    relay: {
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollMinMs: config.OUTBOX_POLL_MIN_MS,
      pollMaxMs: config.OUTBOX_POLL_MAX_MS,
      leaseMs: config.OUTBOX_LEASE_MS,
      publishTimeoutMs: config.BUS_PUBLISH_TIMEOUT_MS,
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
      retry: {
        maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
        baseMs: config.OUTBOX_RETRY_BASE_MS,
        maxMs: config.OUTBOX_RETRY_MAX_MS,
      },
    },
    consumer: {
      retryDelaysMs: config.CONSUMER_RETRY_DELAYS_MS,
      redeliveryBaseMs: config.CONSUMER_REDELIVERY_BASE_MS,
      redeliveryMaxMs: config.CONSUMER_REDELIVERY_MAX_MS,
      maxDeliveries: config.CONSUMER_MAX_DELIVERIES,
    },
  };

  const eventing: Eventing = {
    async start() {
      if (started) return;
      started = true;
      bus ??= await createBus(config, logger);
      // The in-process bus only reaches subscribers in this process: with role api or worker alone,
      // events would be marked published with nobody to receive them (G3).
      if (bus.kind === 'memory' && role !== 'all')
        throw new Error(
          `BUS_URL=memory needs role "all" (got "${role}"); use redis:// or nats:// to split roles`,
        );
      if (runsWorkers) {
        // Consumers subscribe before relays start, so the in-process bus has every subscriber (G3).
        for (const m of modules) {
          for (const consumer of m.consumers ?? []) {
            const handler = createBatchHandler({
              service: m.name,
              db: database.forSchema(m.name),
              consumer,
              settings: settings.consumer,
              logger,
              metrics,
              clock,
            });
            subscriptions.push(
              await bus.subscribeBatch(consumer.subscription, [consumer.topic], handler, {
                concurrency: consumer.concurrency ?? config.CONSUMER_CONCURRENCY,
                ackWaitMs: config.CONSUMER_ACK_WAIT_MS,
                batchSize: consumer.batchSize ?? config.CONSUMER_BATCH_SIZE,
              }),
            );
          }
          const scheduler = new Scheduler({
            service: m.name,
            db: db(m.name),
            jobs: m.jobs ?? [],
            timezone: config.SCHEDULER_TIMEZONE,
            logger,
            metrics,
            clock,
          });
          scheduler.start();
          schedulers.set(m.name, scheduler);
        }
      }
      for (const m of modules) {
        if ((m.publishes ?? []).length === 0) continue;
        const store = createOutboxStore(db(m.name));
        const relay = new OutboxRelay({
          service: m.name,
          store: options.wrapOutboxStore ? options.wrapOutboxStore(m.name, store) : store,
          bus,
          logger,
          metrics,
          clock,
          settings: settings.relay,
        });
        relay.start();
        relays.set(m.name, relay);
      }
      metrics.collectors.add(collector);
      logger.info(
        {
          role,
          bus: bus.kind,
          relays: [...relays.keys()],
          subscriptions: subscriptions.length,
          schedulers: schedulers.size,
        },
        'eventing started',
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      metrics.collectors.delete(collector);
      await Promise.all([...relays.values()].map((r) => r.stop()));
      await Promise.all([...schedulers.values()].map((s) => s.stop()));
      await Promise.all(subscriptions.map((s) => s.close()));
      relays.clear();
      schedulers.clear();
      subscriptions.length = 0;
      if (bus && bus !== options.bus) await bus.close();
      bus = options.bus;
    },
    readiness: [
      {
        name: 'bus',
        check: async () => {
          if (!started || !bus) return 'eventing not started';
          await bus.ping();
        },
      },
      {
        name: 'jobs',
        check: async () => {
          const stale = (await Promise.all([...schedulers.values()].map((s) => s.readiness()))).filter(
            Boolean,
          );
          return stale.length > 0 ? stale.join('; ') : undefined;
        },
      },
    ],
    operations: createOperations({
      database,
      modules,
      logger,
      metrics: options.metrics,
      clock,
      timezone: config.SCHEDULER_TIMEZONE,
    }),
    bus: () => {
      if (!bus) throw new Error('eventing not started');
      return bus;
    },
    relay: (service) => relays.get(service),
    scheduler: (service) => schedulers.get(service),
  };
  return eventing;
}
