import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { AnalyticsDB } from '../data/tables.js';
import type { PiiMasker } from '../domain/pii.js';
import type { StorageGuard } from './storage-guard.js';

/** What the analytics use cases share (built once in module.ts). */
export interface AnalyticsDeps {
  db: Kysely<AnalyticsDB>;
  clock: Clock;
  logger: Logger;
  pii: PiiMasker;
  storage: StorageGuard;
  realtimeMinutes: number;
  maxRangeDays: number;
}
