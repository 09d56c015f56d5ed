import { KickQueue } from '../../platform/eventing/kick-queue.js';
import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import { secretsOrGenerated } from '../../platform/security/webhook-signature.js';
import { authorizePayment } from './app/authorize-payment.js';
import { capturePayment } from './app/capture-payment.js';
import type { PaymentDeps } from './app/deps.js';
import { refundPayment } from './app/refund-payment.js';
import { createResilientProviders } from './app/resilient-providers.js';
import { settlementCompensations } from './app/settle-cancelled-order.js';
import { voidPayment } from './app/void-payment.js';
import { orderCancelledConsumer } from './consumers/order-cancelled.consumer.js';
import type { PaymentClient } from './contract/client.js';
import { paymentRepository as repo, toPaymentView } from './data/payment.repository.js';
import type { PaymentDB } from './data/tables.js';
import { registerPaymentRoutes } from './http/payment.routes.js';
import { bankTransferExpiryJob } from './jobs/bank-transfer-expiry.job.js';
import { orderSettlementJob } from './jobs/order-settlement.job.js';
import { reconciliationJob } from './jobs/reconciliation.job.js';
import { statusSyncJob } from './jobs/status-sync.job.js';
import { createBankTransferProvider, createCodProvider } from './providers/offline.provider.js';
import { createTestpayProvider } from './providers/testpay.provider.js';

/**
 * The payment service's composition root: providers behind timeouts and circuit breakers, the
 * client checkout and the order lifecycle call, signed webhooks, and the jobs that keep payments
 * consistent with the providers.
 */
export function createPaymentModule(deps: PlatformDeps<PaymentDB>): ServiceModule<PaymentClient> {
  const { config, logger, clock } = deps;
  const testpay = createTestpayProvider({
    db: deps.db,
    clock,
    webhookSecrets: secretsOrGenerated(
      config.PAYMENT_TESTPAY_WEBHOOK_SECRETS,
      'PAYMENT_TESTPAY_WEBHOOK_SECRETS',
      logger,
    ),
    webhookToleranceSeconds: config.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
  });
  const providerList = [testpay, createCodProvider(), createBankTransferProvider()];
  const providers = createResilientProviders(
    providerList,
    {
      timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      errorThresholdPercent: config.PAYMENT_CIRCUIT_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.PAYMENT_CIRCUIT_VOLUME_THRESHOLD,
      resetMs: config.PAYMENT_CIRCUIT_RESET_MS,
    },
    clock,
    logger,
  );
  const app: PaymentDeps = {
    db: deps.db,
    clock,
    logger,
    providers,
    providerFor: { card: testpay.name, cod: 'cod', bank_transfer: 'bank_transfer' },
    providerTimeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
    bankTransferWindowHours: config.CHECKOUT_BANK_TRANSFER_WINDOW_HOURS,
    compensation: { baseMs: config.COMPENSATION_RETRY_BASE_MS, maxMs: config.COMPENSATION_RETRY_MAX_MS },
  };

  const kicks = new KickQueue(deps.logger);
  const client: PaymentClient = {
    ...createEventHistory(deps.db),
    authorize: (ctx, request) => authorizePayment(ctx, app, request),
    void: (ctx, paymentId, key) => voidPayment(ctx, app, paymentId, key),
    capture: (ctx, paymentId, amount, key) => capturePayment(ctx, app, paymentId, amount, key),
    refund: (ctx, paymentId, amount, key, options) =>
      refundPayment(ctx, app, paymentId, amount, key, options),
    async getPayment(paymentId) {
      if (!isUuid(paymentId)) return undefined;
      const row = await repo.findById(app.db, paymentId.toLowerCase());
      return row ? toPaymentView(row) : undefined;
    },
    async paymentsForOrder(orderId) {
      if (!isUuid(orderId)) return [];
      return (await repo.forOrder(app.db, orderId.toLowerCase())).map(toPaymentView);
    },
  };

  return {
    name: 'payment',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: [
      'payments.payment.authorized',
      'payments.payment.confirmed',
      'payments.payment.failed',
      'payments.payment.voided',
      'payments.refund.completed',
    ],
    routes: (http) => registerPaymentRoutes(http, app),
    consumers: [orderCancelledConsumer(app, kicks)],
    compensations: settlementCompensations(app),
    jobs: [
      orderSettlementJob(app, config.PAYMENT_SETTLEMENT_CRON),
      bankTransferExpiryJob(app),
      statusSyncJob(app),
      reconciliationJob(
        app,
        providerList.filter((p) => p.hasExternalState).map((p) => p.name),
      ),
    ],
    client,
    async stop() {
      await kicks.stop();
      providers.shutdown();
    },
  };
}
