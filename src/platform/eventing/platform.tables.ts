import type { ColumnType, Generated } from 'kysely';
import type { EventEnvelope } from '../../contracts/index.js';
import { type MigrationFile, readMigrations } from '../db/migrations.js';

/** Tables the platform migrations (db/platform-migrations) create in every service schema. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface OutboxTable {
  id: string;
  position: Generated<bigint>;
  topic: string;
  key: string;
  envelope: Json<EventEnvelope>;
  status: Generated<'pending' | 'published' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ProcessedEventsTable {
  subscription: string;
  event_id: string;
  processed_at: DefaultedTimestamp;
}

export interface ConsumerFailuresTable {
  subscription: string;
  event_id: string;
  attempts: number;
  first_failed_at: Timestamp;
  last_failed_at: Timestamp;
  last_error: string;
}

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded';
export interface DeadLettersTable {
  id: string;
  subscription: string;
  event_id: string;
  topic: string;
  envelope: Json<unknown>;
  error: string;
  stack: string | null;
  attempts: number;
  first_failed_at: Timestamp;
  last_failed_at: Timestamp;
  status: Generated<DeadLetterStatus>;
  resolved_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface JobRunsTable {
  id: string;
  job: string;
  tick: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: 'running' | 'succeeded' | 'failed';
  items: Generated<number>;
  error: string | null;
}

export interface SagaStepsTable {
  saga_type: string;
  saga_id: string;
  step: string;
  status: 'started' | 'completed' | 'failed' | 'compensated' | 'compensation_failed';
  idempotency_key: string;
  result: Json<unknown> | null;
  error: string | null;
  updated_at: Timestamp;
}

export interface FailedCompensationsTable {
  id: string;
  saga_type: string;
  saga_id: string;
  step: string;
  action: string;
  payload: Json<unknown>;
  status: Generated<'pending' | 'resolved' | 'exhausted'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string;
  created_at: DefaultedTimestamp;
  updated_at: Timestamp;
  resolved_at: Timestamp | null;
}

export interface PlatformTables {
  outbox: OutboxTable;
  processed_events: ProcessedEventsTable;
  consumer_failures: ConsumerFailuresTable;
  dead_letters: DeadLettersTable;
  job_runs: JobRunsTable;
  saga_steps: SagaStepsTable;
  failed_compensations: FailedCompensationsTable;
}

/** The platform's own migrations, applied to every service schema before the service's (`platform-0001`…). */
export const platformMigrations = (): MigrationFile[] =>
  readMigrations(new URL('../db/platform-migrations/', import.meta.url), { prefix: 'platform' });
