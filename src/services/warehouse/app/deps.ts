import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { CatalogClient } from '../../catalog/contract/client.js';
import type { WarehouseDB } from '../data/tables.js';
import type { PostalCentroids } from '../domain/geo.js';

/** What the warehouse's use cases work with; built once in module.ts. */
export interface WarehouseDeps {
  db: Kysely<WarehouseDB>;
  clock: Clock;
  /** Validates skus (admin stock writes and reads answer 404 for a sku the catalog does not know). */
  catalog: Pick<CatalogClient, 'getProductsBySku'>;
  /** WAREHOUSE_LOW_STOCK_THRESHOLD: applies to stock rows without their own threshold. */
  lowStockThreshold: number;
  /** WAREHOUSE_JOB_BATCH_SIZE: rows per job batch. */
  jobBatchSize: number;
  /** WAREHOUSE_POSTAL_CENTROIDS_FILES: postal-code centroids for allocation; country centroids without. */
  postalCentroids?: PostalCentroids | undefined;
}
