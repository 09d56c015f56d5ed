import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { CatalogClient } from '../catalog/contract/client.js';
import { loadPostalCentroids } from './adapters/geonames-postal.js';
import type { WarehouseDeps } from './app/deps.js';
import { writeStock } from './app/inventory.js';
import { confirmReservation, fulfilReservation, releaseReservation } from './app/reservation-lifecycle.js';
import { reserve } from './app/reserve.js';
import { restock } from './app/restock.js';
import { createWarehouse } from './app/warehouses.js';
import { fulfillmentStatusConsumer } from './consumers/fulfillment-status.consumer.js';
import { orderStatusConsumer } from './consumers/order-status.consumer.js';
import { productCreatedConsumer } from './consumers/product-created.consumer.js';
import type { WarehouseClient } from './contract/client.js';
import { reservationRepository as reservations } from './data/reservation.repository.js';
import { stockRepository as stock } from './data/stock.repository.js';
import type { WarehouseDB } from './data/tables.js';
import { canonicalSku } from './domain/stock.js';
import { registerWarehouseRoutes } from './http/warehouse.routes.js';
import { reservationExpiryJob } from './jobs/reservation-expiry.job.js';
import { stockReconciliationJob } from './jobs/stock-reconciliation.job.js';

export type WarehouseModuleDeps = PlatformDeps<WarehouseDB> & {
  /** Sku validation for admin stock writes and reads. */
  catalog: Pick<CatalogClient, 'getProductsBySku'>;
};

/** Bulk reads are bounded like a page: callers batch larger sets. */
const MAX_BULK = 1000;

/**
 * The warehouse (inventory) composition root: warehouses, stock with its ledger, reservations
 * (G1) settled per warehouse as fulfillment ships or cancels (WH-P0-02), restock of returns, the
 * admin API, the product-created, order-status and fulfillment-status consumers and the expiry
 * and reconciliation jobs.
 * There is no capacity-reset job: capacity usage is one row per warehouse and day, so a new day
 * starts empty by construction (docs/warehouse.md).
 */
export function createWarehouseModule(deps: WarehouseModuleDeps): ServiceModule<WarehouseClient> {
  const app: WarehouseDeps = {
    db: deps.db,
    clock: deps.clock,
    catalog: deps.catalog,
    lowStockThreshold: deps.config.WAREHOUSE_LOW_STOCK_THRESHOLD,
    jobBatchSize: deps.config.WAREHOUSE_JOB_BATCH_SIZE,
    postalCentroids: loadPostalCentroids(deps.config.WAREHOUSE_POSTAL_CENTROIDS_FILES),
  };

  const client: WarehouseClient = {
    ...createEventHistory(deps.db),
    async availability(skus) {
      const wanted = [...new Set(skus.map(canonicalSku))];
      const out = new Map<string, number>();
      for (let i = 0; i < wanted.length; i += MAX_BULK)
        for (const [sku, n] of await stock.availability(app.db, wanted.slice(i, i + MAX_BULK)))
          out.set(sku, n);
      return out;
    },
    reserve: (ctx, request) => reserve(ctx, app, request),
    confirm: (ctx, id) => confirmReservation(ctx, app, id),
    release: (ctx, id, reason) => releaseReservation(ctx, app, id, reason),
    fulfil: (ctx, id) => fulfilReservation(ctx, app, id),
    restock: (ctx, request) => restock(ctx, app, request),
    async createWarehouse(ctx, input) {
      const w = await createWarehouse(ctx, app, input);
      return { id: w.id, code: w.code };
    },
    async setStock(ctx, input) {
      await writeStock(ctx, app, input.warehouseId, input.sku, { onHand: input.onHand });
    },
    async getReservation(id) {
      if (!isUuid(id)) return undefined;
      const r = await reservations.find(app.db, { id });
      return r ? { id: r.id, status: r.status, allocations: r.allocations } : undefined;
    },
  };

  return {
    name: 'warehouse',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: [
      'warehouse.inventory.reservation_expired',
      'warehouse.stock.low',
      'warehouse.stock.reconciled',
    ],
    routes: (http) => registerWarehouseRoutes(http, app),
    client,
    consumers: [productCreatedConsumer(deps.clock), orderStatusConsumer(app), fulfillmentStatusConsumer(app)],
    jobs: [
      reservationExpiryJob(app, deps.config.WAREHOUSE_RESERVATION_EXPIRY_CRON),
      stockReconciliationJob(app, deps.config.WAREHOUSE_RECONCILIATION_CRON),
    ],
  };
}
