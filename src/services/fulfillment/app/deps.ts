import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { FulfillmentDB } from '../data/tables.js';

/** What the fulfillment use cases work with; built once in module.ts. */
export interface FulfillmentDeps {
  db: Kysely<FulfillmentDB>;
  clock: Clock;
  /** FULFILLMENT_SLA_HOURS: a new fulfillment must ship within this long (sla_due_at). */
  slaHours: number;
  /** FULFILLMENT_JOB_BATCH_SIZE / FULFILLMENT_JOB_MAX_PAGES: bounded job batches. */
  jobBatchSize: number;
  jobMaxPages: number;
  /** FULFILLMENT_AUTO_COMPLETE_DAYS: a shipped fulfillment completes this long after it shipped. */
  autoCompleteDays: number;
}
