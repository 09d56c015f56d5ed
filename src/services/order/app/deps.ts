import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Config } from '../../../platform/config/config.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { CatalogClient } from '../../catalog/contract/client.js';
import type { FulfillmentClient } from '../../fulfillment/contract/client.js';
import type { PaymentClient } from '../../payment/contract/client.js';
import type { PricingClient } from '../../pricing/contract/client.js';
import type { PromotionClient } from '../../promotion/contract/client.js';
import type { ShippingClient } from '../../shipping/contract/client.js';
import type { WarehouseClient } from '../../warehouse/contract/client.js';
import type { OrderDB } from '../data/tables.js';
import type { CapturePolicy } from '../domain/capture-policy.js';
import type { LoyaltyPort } from './loyalty-redemption.step.js';
import type { OrderMetrics } from './order.metrics.js';

/**
 * The narrow ports the order service uses of the services it calls (conventions §5): only the
 * members named here, so tests substitute them with small in-memory doubles.
 */
export type CatalogPort = Pick<CatalogClient, 'getProductsBySku'>;
export type PricingPort = Pick<PricingClient, 'quote' | 'unitPrices' | 'tax'>;
export type WarehousePort = Pick<WarehouseClient, 'reserve' | 'release' | 'restock'>;
export type ShippingPort = Pick<ShippingClient, 'options' | 'quote'>;
export type PaymentPort = Pick<PaymentClient, 'authorize' | 'void' | 'paymentsForOrder' | 'refund'>;
export type PromotionPort = Pick<PromotionClient, 'quote' | 'knownCodes' | 'reserve' | 'release'>;

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
  /** Points as a discount at checkout; absent when loyalty is not in this process. */
  loyalty?: LoyaltyPort | undefined;
  /** Absent when the promotion service is not part of the process: no discounts, codes refused. */
  promotions?: PromotionPort | undefined;
}

/** What the order lifecycle (capture, confirmation, cancellation, jobs) works with beside OrderDeps. */
export interface LifecycleDeps extends OrderDeps {
  payment: PaymentPort & Pick<PaymentClient, 'capture'>;
  metrics: OrderMetrics;
  capture: CapturePolicy;
  /** Shipping's current picture of the order's shipments (delivery check, tracking view). */
  shipments: Pick<ShippingClient, 'shipmentsForOrder'>;
  /** Whether anything of a processing order left a warehouse (admin cancellation stops there). */
  fulfillments: Pick<FulfillmentClient, 'forOrder'>;
}

/** The idempotency scope of POST /checkout (keys are client-generated; ownership is checked first). */
export const CHECKOUT_SCOPE = 'checkout';
export const SAGA_TYPE = 'checkout';

export const idempotencyOptions = (deps: Pick<OrderDeps, 'clock' | 'config'>) => ({
  clock: deps.clock,
  leaseMs: deps.config.IDEMPOTENCY_LEASE_SECONDS * 1000,
  retentionHours: deps.config.IDEMPOTENCY_KEY_RETENTION_HOURS,
});

/** Capture retry policy from settings (04-services.md: 3 tries, 5 s → 60 s, 7-day authorizations). */
export const capturePolicy = (config: Config): CapturePolicy => ({
  maxAttempts: config.ORDER_CAPTURE_MAX_ATTEMPTS,
  baseMs: config.ORDER_CAPTURE_RETRY_BASE_MS,
  maxMs: config.ORDER_CAPTURE_RETRY_MAX_MS,
  authorizationMaxAgeMs: config.ORDER_AUTHORIZATION_MAX_AGE_HOURS * 3_600_000,
});

export const compensationPolicy = (config: Config) => ({
  baseMs: config.COMPENSATION_RETRY_BASE_MS,
  maxMs: config.COMPENSATION_RETRY_MAX_MS,
});
