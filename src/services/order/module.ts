import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { money, toJson } from '../../platform/money.js';
import { checkoutCompensations } from './app/checkout.compensation.js';
import { purgeIdempotencyKeys, recoverAbandonedCheckouts } from './app/checkout-recovery.js';
import type {
  CatalogPort,
  OrderDeps,
  PaymentPort,
  PricingPort,
  ShippingPort,
  WarehousePort,
} from './app/deps.js';
import type { OrderClient } from './contract/client.js';
import { orderRepository } from './data/order.repository.js';
import type { OrderDB } from './data/tables.js';
import { registerCartRoutes } from './http/cart.routes.js';
import { registerCheckoutRoutes } from './http/checkout.routes.js';

/** The registry passes the full clients; the service uses only its ports of them (app/deps.ts). */
export type OrderModuleDeps = PlatformDeps<OrderDB> & {
  catalog: CatalogPort;
  pricing: PricingPort;
  warehouse: WarehousePort;
  shipping: ShippingPort;
  payment: PaymentPort;
};

/** The order service's composition root: carts, the checkout saga and the order record. */
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
  };
  const batch = deps.config.ORDER_JOB_BATCH_SIZE;

  const client: OrderClient = {
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
      };
    },
  };

  return {
    name: 'order',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['orders.order.status_changed'],
    routes: (http) => {
      registerCartRoutes(http, app);
      registerCheckoutRoutes(http, app);
    },
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
    ],
    compensations: checkoutCompensations(app),
    client,
  };
}
