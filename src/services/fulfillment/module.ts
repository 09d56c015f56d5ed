import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { FulfillmentDeps } from './app/deps.js';
import { orderStatusConsumer } from './consumers/order-status.consumer.js';
import { shipmentDeliveredConsumer } from './consumers/shipment-delivered.consumer.js';
import { shipmentStatusConsumer } from './consumers/shipment-status.consumer.js';
import type { FulfillmentClient } from './contract/client.js';
import type { FulfillmentDB } from './data/tables.js';
import { registerFulfillmentRoutes } from './http/fulfillment.routes.js';
import { autoCompleteJob } from './jobs/auto-complete.job.js';
import { slaBreachJob } from './jobs/sla-breach.job.js';

export type FulfillmentModuleDeps = PlatformDeps<FulfillmentDB>;

/**
 * The fulfillment composition root (04-services.md "fulfillment"): fulfillments per order and
 * warehouse created from `orders.order.status_changed`, picklists, pick/pack/ready/cancel for
 * staff, shipped and completed from shipping's shipment events, and the SLA breach and
 * auto-complete jobs (docs/order-lifecycle.md "Fulfillment").
 */
export function createFulfillmentModule(deps: FulfillmentModuleDeps): ServiceModule<FulfillmentClient> {
  const app: FulfillmentDeps = {
    db: deps.db,
    clock: deps.clock,
    slaHours: deps.config.FULFILLMENT_SLA_HOURS,
    jobBatchSize: deps.config.FULFILLMENT_JOB_BATCH_SIZE,
    jobMaxPages: deps.config.FULFILLMENT_JOB_MAX_PAGES,
    autoCompleteDays: deps.config.FULFILLMENT_AUTO_COMPLETE_DAYS,
  };

  const client: FulfillmentClient = {
    ...createEventHistory(deps.db),
    async forOrder(orderId) {
      if (!isUuid(orderId)) return [];
      const rows = await app.db
        .selectFrom('fulfillments as f')
        .select((eb) => [
          'f.id',
          'f.warehouse_id',
          'f.status',
          'f.carrier',
          'f.shipped_at',
          'f.completed_at',
          eb
            .exists(
              eb
                .selectFrom('packages as p')
                .select('p.id')
                .whereRef('p.fulfillment_id', '=', 'f.id')
                .where('p.status', '=', 'shipped'),
            )
            .as('has_shipped_packages'),
        ])
        .where('f.order_id', '=', orderId.toLowerCase())
        .orderBy('f.id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        warehouseId: r.warehouse_id,
        status: r.status,
        carrier: r.carrier,
        shippedAt: r.shipped_at?.toISOString() ?? null,
        completedAt: r.completed_at?.toISOString() ?? null,
        hasShippedPackages: Boolean(r.has_shipped_packages),
      }));
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
    consumers: [orderStatusConsumer(app), shipmentStatusConsumer(app), shipmentDeliveredConsumer(app)],
    jobs: [
      slaBreachJob(app, deps.config.FULFILLMENT_SLA_BREACH_CRON),
      autoCompleteJob(app, deps.config.FULFILLMENT_AUTO_COMPLETE_CRON),
    ],
  };
}
