import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { PaymentMethod } from '../contract/client.js';
import type { PaymentDB } from '../data/tables.js';
import type { ResilientProviders } from './resilient-providers.js';

/** What the payment use cases and jobs work with; built once in module.ts. */
export interface PaymentDeps {
  db: Kysely<PaymentDB>;
  clock: Clock;
  logger: Logger;
  providers: ResilientProviders;
  /** Which provider handles each method (cards go to the configured card gateway). */
  providerFor: Record<PaymentMethod, string>;
  providerTimeoutMs: number;
  bankTransferWindowHours: number;
  /** Backoff of failed_compensations rows this service records (COMPENSATION_RETRY_*). */
  compensation: { baseMs: number; maxMs: number };
}
