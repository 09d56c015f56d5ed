import { KickQueue } from '../../platform/eventing/kick-queue.js';
import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { money, toJson } from '../../platform/money.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { FulfillmentClient } from '../fulfillment/contract/client.js';
import type { PaymentClient } from '../payment/contract/client.js';
import type { ShippingClient } from '../shipping/contract/client.js';
import { captureCompensations } from './app/capture.js';
import { checkoutCompensations } from './app/checkout.compensation.js';
import { promotionCompensations } from './app/checkout.promotion-step.js';
import { purgeIdempotencyKeys, recoverAbandonedCheckouts } from './app/checkout-recovery.js';
import {
  type CatalogPort,
  capturePolicy,
  type LifecycleDeps,
  type OrderDeps,
  type PaymentPort,
  type PricingPort,
  type PromotionPort,
  type ShippingPort,
  type WarehousePort,
} from './app/deps.js';
import type { LoyaltyPort } from './app/loyalty-redemption.step.js';
import { createOrderMetrics } from './app/order.metrics.js';
import { createReturnMetrics } from './app/return.metrics.js';
import { type ReturnDeps, returnStepPolicy } from './app/return-deps.js';
import { captureRequestedConsumer } from './consumers/capture-requested.consumer.js';
import { customerDeletedConsumer } from './consumers/customer-deleted.consumer.js';
import { deliveryEventConsumers } from './consumers/delivery-events.consumer.js';
import { paymentEventConsumers } from './consumers/payment-events.consumer.js';
import { reservationExpiredConsumer } from './consumers/reservation-expired.consumer.js';
import type { OrderClient } from './contract/client.js';
import { customerOrderAggregates } from './data/customer-aggregates.repository.js';
import { orderRepository } from './data/order.repository.js';
import type { OrderDB } from './data/tables.js';
import { registerCartRoutes } from './http/cart.routes.js';
import { registerCheckoutRoutes } from './http/checkout.routes.js';
import { registerOrderRoutes } from './http/order.routes.js';
import { registerReturnRoutes } from './http/return.routes.js';
import { deliveryJobs } from './jobs/delivery.jobs.js';
import { orderLifecycleJobs } from './jobs/order.jobs.js';
import { returnCompensationJob } from './jobs/return-compensation.job.js';

/** The registry passes the full clients; the service uses only its ports of them (app/deps.ts). */
export type OrderModuleDeps = PlatformDeps<OrderDB> & {
  catalog: CatalogPort;
  pricing: PricingPort;
  warehouse: WarehousePort;
  shipping: ShippingPort & Pick<ShippingClient, 'shipmentsForOrder'>;
  payment: PaymentPort & Pick<PaymentClient, 'capture'>;
  /** Discounts of carts and orders; absent: none (the promotion service is not in this process). */
  promotions?: PromotionPort | undefined;
  /** Built after order (it reacts to order events): resolved per call. */
  fulfillments: Pick<FulfillmentClient, 'forOrder'>;
  /** Points at checkout; absent when loyalty is not in this process. */
  loyalty?: LoyaltyPort | undefined;
};

/**
 * The order service's composition root: carts, the checkout saga, the order record and its
 * lifecycle after checkout (capture, confirmation, cancellation, jobs: docs/order-lifecycle.md).
 */
export function createOrderModule(deps: OrderModuleDeps): ServiceModule<OrderClient> {
  const app: OrderDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    config: deps.config,
    catalog: deps.catalog,
    pricing: deps.pricing,
    warehouse: deps.warehouse,
    shipping: deps.shipping,
    payment: deps.payment,
    loyalty: deps.loyalty,
    promotions: deps.promotions,
  };
  const batch = deps.config.ORDER_JOB_BATCH_SIZE;
  const lifecycle: LifecycleDeps = {
    ...app,
    payment: deps.payment,
    metrics: createOrderMetrics(deps.metrics),
    capture: capturePolicy(deps.config),
    shipments: deps.shipping,
    fulfillments: deps.fulfillments,
  };
  const kicks = new KickQueue(deps.logger);
  // Returns: request/approve/reject/receive, then restock and refund as retried steps.
  const returns: ReturnDeps = {
    ...lifecycle,
    returnMetrics: createReturnMetrics(deps.metrics),
    steps: returnStepPolicy(deps.config),
    kicks,
  };

  const client: OrderClient = {
    ...createEventHistory(deps.db),
    async getOrder(orderId) {
      const o = await orderRepository.findOrder(app.db, orderId);
      if (!o) return undefined;
      return {
        id: o.id,
        status: o.status,
        paymentStatus: o.payment_status,
        paymentId: o.payment_id,
        reservationId: o.reservation_id,
        customerId: o.customer_id,
        currency: o.currency,
        total: toJson(money(o.total, o.currency)),
        sequence: o.sequence,
        shippingAddress: o.shipping_address,
        shippingCarrier: o.shipping_carrier,
      };
    },
    customerAggregates: (customerIds) =>
      customerOrderAggregates(app.db, [...new Set(customerIds)].filter(isUuid).slice(0, 1000)),
  };

  return {
    name: 'order',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: [
      'orders.order.status_changed',
      'orders.payment.capture_requested',
      'orders.return.requested',
      'orders.return.approved',
      'orders.return.rejected',
      'orders.return.completed',
    ],
    routes: (http) => {
      registerCartRoutes(http, app);
      registerCheckoutRoutes(http, app);
      registerOrderRoutes(http, lifecycle);
      registerReturnRoutes(http, returns);
    },
    consumers: [
      captureRequestedConsumer(lifecycle, kicks),
      ...paymentEventConsumers(lifecycle),
      reservationExpiredConsumer(lifecycle),
      ...deliveryEventConsumers(lifecycle, kicks),
      // G10: erasure reaches the addresses on orders and carts.
      customerDeletedConsumer(),
    ],
    jobs: [
      {
        // G5: checkouts abandoned by a crashed process are compensated and their keys freed.
        name: 'checkout-recovery',
        cron: deps.config.CHECKOUT_RECOVERY_CRON,
        handler: async () => ({ items: await recoverAbandonedCheckouts(app, batch) }),
      },
      {
        name: 'idempotency-purge',
        cron: deps.config.IDEMPOTENCY_PURGE_CRON,
        handler: async () => ({ items: await purgeIdempotencyKeys(app, batch) }),
      },
      ...orderLifecycleJobs(lifecycle),
      ...deliveryJobs(lifecycle),
      returnCompensationJob(returns),
    ],
    compensations: {
      ...checkoutCompensations(app),
      ...promotionCompensations(app),
      ...captureCompensations(lifecycle),
    },
    client,
    async stop() {
      await kicks.stop();
    },
  };
}
