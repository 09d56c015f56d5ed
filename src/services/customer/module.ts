import { systemCtx } from '../../platform/context.js';
import { AppError } from '../../platform/errors/app-error.js';
import { KickQueue } from '../../platform/eventing/kick-queue.js';
import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { OrderClient } from '../order/contract/client.js';
import { createCustomerDirectory } from './app/customer.directory.js';
import { createCustomerMetrics } from './app/customer.metrics.js';
import type { CustomerDeps } from './app/deps.js';
import { REVOKE_ACTION, type RevokePayload, revokeFor } from './app/sessions.js';
import { accountMailConsumer } from './consumers/account-mail.consumer.js';
import { authLoginConsumer, passwordChangedConsumer } from './consumers/auth.consumers.js';
import { orderStatsConsumers } from './consumers/order-stats.consumers.js';
import type { CustomerClient } from './contract/client.js';
import { customerRepository as repo } from './data/customer.repository.js';
import { segmentRepository } from './data/segment.repository.js';
import type { CustomerDB } from './data/tables.js';
import type { AccountMail, SessionRevoker } from './domain/ports.js';
import { registerCustomerAdminRoutes } from './http/admin.routes.js';
import { registerCustomerRoutes } from './http/customer.routes.js';
import { registerSegmentRoutes } from './http/segment.routes.js';
import { cleanupJob } from './jobs/cleanup.job.js';
import { segmentEvaluationJob } from './jobs/segment-evaluation.job.js';
import { statsReconciliationJob } from './jobs/stats-reconciliation.job.js';

export type CustomerModuleDeps = PlatformDeps<CustomerDB> & {
  /**
   * Auth and notification are built after the customer service (auth needs its directory), so
   * their clients are resolved per call. Absent when that service is not in this process: the
   * calls then fail with 503 and, for session revocation, are recorded for retry (G5).
   */
  sessions?: SessionRevoker | undefined;
  mail?: AccountMail | undefined;
  /** The order service is built after customer: resolved per call (statistics reconciliation). */
  orders?: Pick<OrderClient, 'customerAggregates'> | undefined;
};

const unavailable = (service: string) =>
  new AppError(
    'unavailable',
    `${service}_unavailable`,
    `The ${service} service is not available in this process`,
  );

/** Composition root of the customer service: accounts, the customer directory for auth, GDPR erasure. */
export function createCustomerModule(
  deps: PlatformDeps<CustomerDB> & CustomerModuleDeps,
): ServiceModule<CustomerClient> {
  const { config } = deps;
  if (!deps.sessions)
    deps.logger.warn('auth is not in this process: session revocations will be queued for retry');
  if (!deps.mail) deps.logger.warn('notification is not in this process: account emails cannot be sent');
  const app: CustomerDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    settings: {
      lockout: {
        maxFailures: config.CUSTOMER_LOGIN_MAX_FAILURES,
        lockoutMs: config.CUSTOMER_LOCKOUT_MINUTES * 60_000,
      },
      verificationTtlHours: config.CUSTOMER_VERIFICATION_TOKEN_TTL_HOURS,
      resetTtlMinutes: config.CUSTOMER_RESET_TOKEN_TTL_MINUTES,
      erasureGraceHours: config.CUSTOMER_ERASURE_GRACE_HOURS,
      auditRetentionDays: config.CUSTOMER_AUDIT_RETENTION_DAYS,
      batchSize: config.CUSTOMER_JOB_BATCH_SIZE,
      storefrontUrl: config.CUSTOMER_STOREFRONT_URL,
      compensation: { baseMs: config.COMPENSATION_RETRY_BASE_MS, maxMs: config.COMPENSATION_RETRY_MAX_MS },
      statsSettleMinutes: config.CUSTOMER_STATS_SETTLE_MINUTES,
    },
    sessions: deps.sessions ?? {
      revokeAll: () => Promise.reject(unavailable('auth')),
      passwordReset: () => Promise.reject(unavailable('auth')),
    },
    mail: deps.mail ?? { send: () => Promise.reject(unavailable('notification')) },
    orders: deps.orders ?? { customerAggregates: () => Promise.reject(unavailable('order')) },
    metrics: createCustomerMetrics(deps.metrics),
  };

  // One hand-off per delivery of customer.account_mail_requested: the platform's redelivery is the retry.
  const mailKicks = new KickQueue(deps.logger, [0]);

  const client: CustomerClient = {
    ...createEventHistory(deps.db),
    directory: createCustomerDirectory(app),
    async contacts(ids) {
      const wanted = [...new Set(ids)].filter(isUuid).slice(0, 1000);
      const rows = (await repo.findByIds(app.db, wanted)).filter((r) => r.status !== 'deleted');
      if (rows.length === 0) return [];
      const prefs = await app.db
        .selectFrom('preference_versions')
        .select(['customer_id', 'preferences', 'consents'])
        .distinctOn('customer_id')
        .where(
          'customer_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('customer_id')
        .orderBy('version', 'desc')
        .execute();
      const current = new Map(prefs.map((p) => [p.customer_id, p]));
      return rows.map((r) => {
        const p = current.get(r.id);
        return {
          id: r.id,
          email: r.email,
          firstName: r.first_name,
          status: r.status,
          language: p?.preferences.language ?? null,
          // No version row yet means the defaults: everything optional off.
          messaging: {
            marketingConsent: p?.consents.marketing ?? false,
            marketingEmail: p?.preferences.marketingEmail ?? false,
            productReviewRequests: p?.preferences.productReviewRequests ?? false,
          },
        };
      });
    },
    segmentIdsOf: async (_ctx, customerId) =>
      isUuid(customerId) ? segmentRepository.segmentIdsOf(app.db, customerId) : [],
  };

  return {
    name: 'customer',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: [
      'customer.created',
      'customer.updated',
      'customer.status_changed',
      'customer.deleted',
      'customer.account_mail_requested',
    ],
    consumers: [
      authLoginConsumer,
      passwordChangedConsumer,
      accountMailConsumer(app, mailKicks),
      ...orderStatsConsumers(app.clock),
    ],
    jobs: [
      cleanupJob(app, config.CUSTOMER_CLEANUP_CRON),
      statsReconciliationJob(app, config.CUSTOMER_STATS_RECONCILIATION_CRON),
      segmentEvaluationJob(app, config.CUSTOMER_SEGMENT_EVALUATION_CRON),
    ],
    compensations: {
      // A revocation that failed after a committed reset/suspension/erasure request (G5).
      [REVOKE_ACTION]: async (payload, ctx) => {
        await revokeFor(app, systemCtx(ctx.logger, 'customer.compensation'), payload as RevokePayload);
      },
    },
    routes: (http) => {
      registerCustomerRoutes(http, app);
      registerCustomerAdminRoutes(http, app);
      registerSegmentRoutes(http, app);
    },
    client,
    async stop() {
      await mailKicks.stop();
    },
  };
}
