import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { OrderClient } from '../../order/contract/client.js';
import type { ShippingDB } from '../data/tables.js';
import type { RetryPolicy } from '../domain/booking-retry.js';
import type { ResilientCarriers } from './resilient-carriers.js';
import type { ShippingMetrics } from './shipping.metrics.js';

/** The carrier a package ships with when the order names none (`carrier: null`). */
export const DEFAULT_CARRIER = 'simcarrier';

/** What the shipment use cases work with; built once in module.ts. */
export interface ShipmentDeps {
  db: Kysely<ShippingDB>;
  clock: Clock;
  logger: Logger;
  carriers: ResilientCarriers;
  /** The order's address and carrier for booking; called only outside transactions. */
  orders: Pick<OrderClient, 'getOrder'>;
  /** Follow-up carrier work right after a consumer's commit (the jobs are the safety net). */
  kicks: KickQueue;
  metrics: ShippingMetrics;
  /** SHIPPING_CARRIER_MAX_ATTEMPTS / _RETRY_BASE_MS / _RETRY_MAX_MS. */
  retry: RetryPolicy;
  /** How long a claimed booking or cancellation is held before another claimer may retry it. */
  leaseMs: number;
  /** SHIPPING_JOB_BATCH_SIZE. */
  batchSize: number;
}
