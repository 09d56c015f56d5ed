import { Counter } from 'prom-client';
import { createOperationsWatch } from '../../platform/eventing/operations-watch.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import type { CustomerClient } from '../customer/contract/client.js';
import type { OrderClient } from '../order/contract/client.js';
import type { ShippingClient } from '../shipping/contract/client.js';
import type { UserClient } from '../user/contract/client.js';
import { MemoryMailer } from './adapters/memory.mailer.js';
import { createSmtpMailer } from './adapters/smtp.mailer.js';
import type { NotificationDeps } from './app/deps.js';
import { sendDirect } from './app/messages.js';
import { loyaltyConsumers } from './consumers/loyalty.consumers.js';
import { notificationConsumers } from './consumers/notification.consumers.js';
import { opsConsumers } from './consumers/ops.consumers.js';
import { orderConsumers } from './consumers/order.consumers.js';
import type { NotificationClient } from './contract/client.js';
import type { NotificationDB } from './data/tables.js';
import { parseTrackingUrls } from './domain/links.js';
import type { Mailer } from './domain/ports.js';
import type { OrderLookup, RecipientLookup, ShipmentLookup } from './domain/recipients.js';
import { registerNotificationAdminRoutes } from './http/admin.routes.js';
import { registerDevMailboxRoutes } from './http/dev-mailbox.routes.js';
import { deliveryRetryJob } from './jobs/delivery-retry.job.js';
import { opsWatchJob } from './jobs/ops-watch.job.js';

export type NotificationModuleDeps = PlatformDeps<NotificationDB> & {
  customers?: CustomerClient | undefined;
  users?: UserClient | undefined;
  /** The order service's client, when it runs in this process (refund emails find the customer). */
  orders?: Pick<OrderClient, 'getOrder'> | undefined;
  /** The shipping service's client, when it runs in this process (shipped emails show tracking). */
  shipping?: Pick<ShippingClient, 'shipmentsForOrder'> | undefined;
  /** Services whose dead letters and failed compensations operators hear about. */
  watchedServices?: readonly string[] | undefined;
};

/**
 * Composition root of the notification service: account email, every moment of an order, operator
 * messages (docs/notifications.md). SMTP when SMTP_URL is set (config requires it in production);
 * otherwise the memory sink behind GET /dev/mailbox.
 */
export function createNotificationModule(deps: NotificationModuleDeps): ServiceModule<NotificationClient> {
  const { config } = deps;
  const memory = config.SMTP_URL ? undefined : new MemoryMailer(() => deps.clock.now());
  const mailer: Mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : memory!;
  const recipients: RecipientLookup = {
    async customer(id) {
      const [c] = (await deps.customers?.contacts([id])) ?? [];
      return c
        ? {
            email: c.email,
            firstName: c.firstName,
            customerId: c.id,
            language: c.language,
            choices: c.messaging,
          }
        : undefined;
    },
    async staff(id) {
      const u = await deps.users?.getUser(id);
      if (!u || u.status === 'deleted') return undefined;
      return {
        email: u.email,
        firstName: u.name.split(/\s+/)[0] ?? u.name,
        customerId: null,
        language: null,
        choices: undefined,
      };
    },
  };
  const orders: OrderLookup | undefined = deps.orders
    ? { customerOf: async (orderId) => (await deps.orders!.getOrder(orderId))?.customerId }
    : undefined;
  const shipments: ShipmentLookup | undefined = deps.shipping
    ? {
        forOrder: async (orderId) =>
          (await deps.shipping!.shipmentsForOrder(orderId))
            .filter((s) => s.status !== 'cancelled')
            .map((s) => ({ carrier: s.carrier, trackingNumber: s.trackingNumber })),
      }
    : undefined;
  const operators = [
    ...new Set(
      (config.NOTIFICATION_OPERATOR_EMAILS.length > 0
        ? config.NOTIFICATION_OPERATOR_EMAILS
        : config.ORDERLINE_ADMIN_EMAIL
          ? [config.ORDERLINE_ADMIN_EMAIL]
          : []
      ).map((e) => e.toLowerCase()),
    ),
  ];
  const failed = new Counter({
    name: 'orderline_notification_messages_failed_total',
    help: 'Messages that failed for good after every retry (notification dead letters)',
    labelNames: ['template'],
    registers: [deps.metrics.registry],
  });
  const app: NotificationDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    mailer,
    recipients,
    orders,
    shipments,
    from: config.MAIL_FROM,
    maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
    retry: { baseMs: config.NOTIFICATION_RETRY_BASE_MS, maxMs: config.NOTIFICATION_RETRY_MAX_MS },
    batchSize: 100,
    operators,
    storefrontUrl: config.CUSTOMER_STOREFRONT_URL,
    trackingUrls: parseTrackingUrls(config.NOTIFICATION_TRACKING_URLS),
    onFailed: (template) => failed.inc({ template }),
  };

  const inFlight = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const watch = createOperationsWatch(deps.database, deps.watchedServices ?? ['notification']);

  return {
    name: 'notification',
    migrations: new URL('./data/migrations/', import.meta.url),
    consumers: [
      ...notificationConsumers(app, background, (addresses) => memory?.forget(addresses)),
      ...orderConsumers(app, background),
      ...opsConsumers(app, background),
      ...loyaltyConsumers(app, background),
    ],
    jobs: [
      deliveryRetryJob(app, config.NOTIFICATION_RETRY_CRON),
      opsWatchJob(app, background, watch, {
        cron: config.NOTIFICATION_OPS_WATCH_CRON,
        threshold: config.NOTIFICATION_DLQ_ALERT_THRESHOLD,
      }),
    ],
    routes: (http) => {
      registerNotificationAdminRoutes(http, app, background);
      // Development only: the route does not exist in production (03-api).
      if (memory && !config.isProduction) registerDevMailboxRoutes(http, memory);
    },
    client: { send: (ctx, request) => sendDirect(ctx, app, request, background) },
    async stop() {
      await Promise.allSettled([...inFlight]);
      await mailer.close();
    },
  };
}
