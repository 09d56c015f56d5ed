import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { CatalogDB } from '../data/tables.js';
import type { AvailabilityLookup, PriceLookup } from '../domain/ports.js';
import type { CatalogCache } from './catalog.cache.js';

/** What the catalog's use cases work with; built once in module.ts. */
export interface CatalogDeps {
  db: Kysely<CatalogDB>;
  clock: Clock;
  /** Products and categories as read last; cleared by every catalog write (catalog.cache.ts). */
  cache: CatalogCache;
  prices?: PriceLookup | undefined;
  availability?: AvailabilityLookup | undefined;
}
