import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import type { FulfillmentDeps } from './app/deps.js';
import { orderStatusConsumer } from './consumers/order-status.consumer.js';
import type { FulfillmentClient } from './contract/client.js';
import type { FulfillmentDB } from './data/tables.js';
import { registerFulfillmentRoutes } from './http/fulfillment.routes.js';
import { slaBreachJob } from './jobs/sla-breach.job.js';

export type FulfillmentModuleDeps = PlatformDeps<FulfillmentDB>;

/**
 * The fulfillment composition root (04-services.md "fulfillment"): fulfillments per order and
 * warehouse created from `orders.order.status_changed`, picklists, pick/pack/ready/cancel for
 * staff, and the SLA breach detector. Auto-complete of shipped fulfillments needs shipments
 * (docs/order-lifecycle.md "Fulfillment").
 */
export function createFulfillmentModule(deps: FulfillmentModuleDeps): ServiceModule<FulfillmentClient> {
  const app: FulfillmentDeps = {
    db: deps.db,
    clock: deps.clock,
    slaHours: deps.config.FULFILLMENT_SLA_HOURS,
    jobBatchSize: deps.config.FULFILLMENT_JOB_BATCH_SIZE,
    jobMaxPages: deps.config.FULFILLMENT_JOB_MAX_PAGES,
  };

  const client: FulfillmentClient = {
    async forOrder(orderId) {
      if (!isUuid(orderId)) return [];
      const rows = await app.db
        .selectFrom('fulfillments')
        .select(['id', 'warehouse_id', 'status'])
        .where('order_id', '=', orderId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, warehouseId: r.warehouse_id, status: r.status }));
    },
  };

  return {
    name: 'fulfillment',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: [
      'fulfillments.fulfillment.status_changed',
      'fulfillment.package_status_changed',
      'fulfillments.fulfillment.sla_breach',
    ],
    routes: (http) => registerFulfillmentRoutes(http, app),
    client,
    consumers: [orderStatusConsumer(app)],
    jobs: [slaBreachJob(app, deps.config.FULFILLMENT_SLA_BREACH_CRON)],
  };
}
