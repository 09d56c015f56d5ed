import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { OrderClient } from '../../order/contract/client.js';
import type { CustomerDB } from '../data/tables.js';
import type { LockoutPolicy } from '../domain/login-policy.js';
import type { AccountMail, SessionRevoker } from '../domain/ports.js';
import type { CustomerMetrics } from './customer.metrics.js';

export interface CustomerSettings {
  lockout: LockoutPolicy;
  verificationTtlHours: number;
  resetTtlMinutes: number;
  erasureGraceHours: number;
  auditRetentionDays: number;
  batchSize: number;
  storefrontUrl: string;
  compensation: { baseMs: number; maxMs: number };
  statsSettleMinutes: number;
}

/** What the customer service's use cases work with; built once in module.ts. */
export interface CustomerDeps {
  db: Kysely<CustomerDB>;
  clock: Clock;
  logger: Logger;
  settings: CustomerSettings;
  mail: AccountMail;
  sessions: SessionRevoker;
  /** The order service's aggregates for the statistics reconciliation (resolved per call). */
  orders: Pick<OrderClient, 'customerAggregates'>;
  metrics: CustomerMetrics;
}
