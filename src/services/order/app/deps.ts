import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Config } from '../../../platform/config/config.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { CatalogClient } from '../../catalog/contract/client.js';
import type { PaymentClient } from '../../payment/contract/client.js';
import type { PricingClient } from '../../pricing/contract/client.js';
import type { ShippingClient } from '../../shipping/contract/client.js';
import type { WarehouseClient } from '../../warehouse/contract/client.js';
import type { OrderDB } from '../data/tables.js';

/**
 * The narrow ports the order service uses of the services it calls (conventions §5): only the
 * members named here, so tests substitute them with small in-memory doubles.
 */
export type CatalogPort = Pick<CatalogClient, 'getProductsBySku'>;
export type PricingPort = Pick<PricingClient, 'quote' | 'unitPrices' | 'tax'>;
export type WarehousePort = Pick<WarehouseClient, 'reserve' | 'release'>;
export type ShippingPort = Pick<ShippingClient, 'options' | 'quote'>;
export type PaymentPort = Pick<PaymentClient, 'authorize' | 'void' | 'paymentsForOrder'>;

/** What the order service's use cases work with; built once in module.ts. Other services only via their contracts. */
export interface OrderDeps {
  db: Kysely<OrderDB>;
  clock: Clock;
  logger: Logger;
  config: Config;
  catalog: CatalogPort;
  pricing: PricingPort;
  warehouse: WarehousePort;
  shipping: ShippingPort;
  payment: PaymentPort;
}

/** The idempotency scope of POST /checkout (keys are client-generated; ownership is checked first). */
export const CHECKOUT_SCOPE = 'checkout';
export const SAGA_TYPE = 'checkout';

export const idempotencyOptions = (deps: Pick<OrderDeps, 'clock' | 'config'>) => ({
  clock: deps.clock,
  leaseMs: deps.config.IDEMPOTENCY_LEASE_SECONDS * 1000,
  retentionHours: deps.config.IDEMPOTENCY_KEY_RETENTION_HOURS,
});

export const compensationPolicy = (config: Config) => ({
  baseMs: config.COMPENSATION_RETRY_BASE_MS,
  maxMs: config.COMPENSATION_RETRY_MAX_MS,
});
