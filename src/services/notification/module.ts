import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import type { CustomerClient } from '../customer/contract/client.js';
import type { UserClient } from '../user/contract/client.js';
import { MemoryMailer } from './adapters/memory.mailer.js';
import { createSmtpMailer } from './adapters/smtp.mailer.js';
import type { NotificationDeps } from './app/deps.js';
import { sendDirect } from './app/messages.js';
import { notificationConsumers } from './consumers/notification.consumers.js';
import type { NotificationClient } from './contract/client.js';
import type { NotificationDB } from './data/tables.js';
import type { Mailer } from './domain/ports.js';
import type { RecipientLookup } from './domain/recipients.js';
import { registerDevMailboxRoutes } from './http/dev-mailbox.routes.js';
import { deliveryRetryJob } from './jobs/delivery-retry.job.js';

export type NotificationModuleDeps = PlatformDeps<NotificationDB> & {
  customers?: CustomerClient | undefined;
  users?: UserClient | undefined;
};

/** Base delay of a failed direct send's retries; doubles up to the cap. */
const RETRY = { baseMs: 30_000, maxMs: 3_600_000 };

/**
 * Composition root of the notification service (first part: account email). SMTP when SMTP_URL is
 * set (config requires it in production); otherwise the memory sink behind GET /dev/mailbox.
 */
export function createNotificationModule(deps: NotificationModuleDeps): ServiceModule<NotificationClient> {
  const { config } = deps;
  const memory = config.SMTP_URL ? undefined : new MemoryMailer(() => deps.clock.now());
  const mailer: Mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : memory!;
  const recipients: RecipientLookup = {
    async customer(id) {
      const [c] = (await deps.customers?.contacts([id])) ?? [];
      return c ? { email: c.email, firstName: c.firstName, customerId: c.id } : undefined;
    },
    async staff(id) {
      const u = await deps.users?.getUser(id);
      if (!u || u.status === 'deleted') return undefined;
      return { email: u.email, firstName: u.name.split(/\s+/)[0] ?? u.name, customerId: null };
    },
  };
  const app: NotificationDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    mailer,
    recipients,
    from: config.MAIL_FROM,
    maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
    retry: RETRY,
    batchSize: 100,
  };

  const inFlight = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  return {
    name: 'notification',
    migrations: new URL('./data/migrations/', import.meta.url),
    consumers: notificationConsumers(app, background, (addresses) => memory?.forget(addresses)),
    jobs: [deliveryRetryJob(app, config.NOTIFICATION_RETRY_CRON)],
    routes: (http) => {
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
