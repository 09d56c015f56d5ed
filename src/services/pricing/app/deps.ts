import type { Kysely } from 'kysely';
import type { ReadCache } from '../../../platform/cache/read-cache.js';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { CatalogClient } from '../../catalog/contract/client.js';
import type { PricingDB } from '../data/tables.js';
import type { PriceCache } from './price.cache.js';

/** What pricing's use cases work with; built once in module.ts. */
export interface PricingDeps {
  db: Kysely<PricingDB>;
  clock: Clock;
  logger: Logger;
  /** Only the catalog's contract: skus are checked against it before a price is stored. */
  catalog: Pick<CatalogClient, 'getProductsBySku'>;
  cache: PriceCache;
  /** Tax rate per country code (null: none configured), for `cached: true` reads. */
  taxCache: ReadCache<{ rateBps: number | null }>;
  /** PRICING_EXCHANGE_RATE_MAX_AGE_MINUTES in milliseconds. */
  maxRateAgeMs: number;
}
