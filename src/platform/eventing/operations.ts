import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { notFound } from '../errors/app-error.js';
import { replayDeadLetter } from '../inbox/consumer.runner.js';
import {
  type DeadLetter,
  discardDeadLetter,
  findDeadLetter,
  listDeadLetters,
} from '../inbox/dead-letter.store.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createOutboxStore } from '../outbox/outbox.store.js';
import { type FailedCompensation, listCompensations } from '../saga/compensation.store.js';
import { type JobStatus, Scheduler } from '../scheduler/scheduler.js';
import type { EventingModule } from './eventing.js';
import { eventingMetrics } from './eventing.metrics.js';
import type { DeadLetterStatus, PlatformTables } from './platform.tables.js';

/**
 * What operators do with dead letters, compensations, jobs and stuck outbox rows; shared by the
 * admin routes and the `orderline dlq …` CLI, which builds it without starting any consumer.
 */
export interface Operations {
  services(): string[];
  listDeadLetters(query: {
    service?: string;
    status?: DeadLetterStatus;
    limit?: number;
  }): Promise<DeadLetter[]>;
  replayDeadLetter(
    id: string,
    service?: string,
  ): Promise<{ service: string; outcome: 'processed' | 'duplicate' }>;
  discardDeadLetter(id: string, service?: string): Promise<{ service: string }>;
  listCompensations(query: {
    service?: string;
    status?: FailedCompensation['status'];
    limit?: number;
  }): Promise<FailedCompensation[]>;
  listJobs(query: { service?: string }): Promise<JobStatus[]>;
  requeueFailedOutbox(service: string, ids?: string[]): Promise<number>;
}

export interface OperationsDeps {
  database: Database;
  modules: readonly EventingModule[];
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  timezone: string;
}

export function createOperations(deps: OperationsDeps): Operations {
  const names = deps.modules.map((m) => m.name);
  const db = (service: string) => deps.database.forSchema<PlatformTables>(service);
  const pick = (service?: string): EventingModule[] => {
    if (service === undefined) return [...deps.modules];
    const m = deps.modules.find((x) => x.name === service);
    if (!m) throw notFound('Service', service);
    return [m];
  };
  const locate = async (id: string, service?: string): Promise<EventingModule> => {
    for (const m of pick(service)) if (await findDeadLetter(db(m.name), m.name, id)) return m;
    throw notFound('Dead letter', id);
  };
  const newestFirst = <T extends { id: string }>(items: T[], limit: number) =>
    items.sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit);

  return {
    services: () => names,
    async listDeadLetters(q) {
      const limit = q.limit ?? 100;
      const all = await Promise.all(
        pick(q.service).map((m) =>
          listDeadLetters(db(m.name), m.name, { limit, ...(q.status ? { status: q.status } : {}) }),
        ),
      );
      return newestFirst(all.flat(), limit);
    },
    async replayDeadLetter(id, service) {
      const m = await locate(id, service);
      const result = await replayDeadLetter(
        {
          service: m.name,
          db: deps.database.forSchema(m.name),
          consumers: m.consumers ?? [],
          logger: deps.logger,
          metrics: eventingMetrics(deps.metrics),
          clock: deps.clock,
        },
        id,
      );
      return { service: m.name, ...result };
    },
    async discardDeadLetter(id, service) {
      const m = await locate(id, service);
      await discardDeadLetter(db(m.name), id, deps.clock.now());
      deps.logger.info({ service: m.name, id }, 'dead letter discarded by an operator');
      return { service: m.name };
    },
    async listCompensations(q) {
      const limit = q.limit ?? 100;
      const all = await Promise.all(
        pick(q.service).map((m) =>
          listCompensations(db(m.name), m.name, { limit, ...(q.status ? { status: q.status } : {}) }),
        ),
      );
      return newestFirst(all.flat(), limit);
    },
    async listJobs(q) {
      const all = await Promise.all(
        pick(q.service).map((m) =>
          new Scheduler({
            service: m.name,
            db: db(m.name),
            jobs: m.jobs ?? [],
            timezone: deps.timezone,
            logger: deps.logger,
            metrics: eventingMetrics(deps.metrics),
            clock: deps.clock,
          }).status(),
        ),
      );
      return all.flat();
    },
    async requeueFailedOutbox(service, ids) {
      pick(service);
      return createOutboxStore(db(service)).requeueFailed(ids);
    },
  };
}
