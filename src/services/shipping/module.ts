import { createReadCache } from '../../platform/cache/read-cache.js';
import { KickQueue } from '../../platform/eventing/kick-queue.js';
import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import { secretsOrGenerated } from '../../platform/security/webhook-signature.js';
import type { OrderClient } from '../order/contract/client.js';
import type { PricingClient } from '../pricing/contract/client.js';
import type { ShipmentDeps } from './app/deps.js';
import { createResilientCarriers } from './app/resilient-carriers.js';
import { shipmentViews } from './app/shipment-view.js';
import { createShippingMetrics } from './app/shipping.metrics.js';
import { quoteOption, type RatesDeps, shippingOptions } from './app/shipping-rates.js';
import { createManualCarrier } from './carriers/manual.carrier.js';
import { createSimcarrier } from './carriers/simcarrier.carrier.js';
import { orderStatusConsumer } from './consumers/order-status.consumer.js';
import { packageStatusConsumer } from './consumers/package-status.consumer.js';
import type { ShippingClient } from './contract/client.js';
import { shipmentRepository } from './data/shipment.repository.js';
import type { ShippingDB } from './data/tables.js';
import { registerCarrierWebhookRoutes } from './http/carrier-webhook.routes.js';
import { registerShipmentRoutes } from './http/shipment.routes.js';
import { registerShippingOptionRoutes } from './http/shipping-option.routes.js';
import { registerSimcarrierDevRoutes } from './http/simcarrier-dev.routes.js';
import { shipmentBookingJob } from './jobs/shipment-booking.job.js';
import { trackingPollJob } from './jobs/tracking-poll.job.js';

export type ShippingModuleDeps = PlatformDeps<ShippingDB> & {
  /** Currency conversion for options priced in another currency than the cart's. */
  pricing: Pick<PricingClient, 'convert'>;
  /** The order's shipping address for booking a parcel (called outside any transaction). */
  orders: Pick<OrderClient, 'getOrder'>;
};

/**
 * Shipping's composition root (04-services.md "shipping"): options and quotes for carts and
 * checkout; shipments created from ready packages and booked with the carrier asynchronously
 * (retries, then manual fallback: SHIP-P0-01); tracking by signed carrier webhooks and a polling
 * job; staff status updates; cancellation with the order or package.
 */
export function createShippingModule(deps: ShippingModuleDeps): ServiceModule<ShippingClient> {
  const { config, logger, clock } = deps;
  const simcarrier = createSimcarrier({
    db: deps.db,
    clock,
    webhookSecrets: secretsOrGenerated(
      config.SHIPPING_SIMCARRIER_WEBHOOK_SECRETS,
      'SHIPPING_SIMCARRIER_WEBHOOK_SECRETS',
      logger,
    ),
    webhookToleranceSeconds: config.SHIPPING_WEBHOOK_TOLERANCE_SECONDS,
  });
  const carrierList = [simcarrier, createManualCarrier()];
  const rates: RatesDeps = {
    db: deps.db,
    carriers: new Map(carrierList.map((c) => [c.name, c])),
    pricing: deps.pricing,
    logger,
    // A few options per destination country and per option id: a small, bounded set.
    optionCache: createReadCache({ ttlSeconds: config.SHIPPING_OPTIONS_CACHE_TTL_SECONDS, maxEntries: 2000 }),
  };
  const kicks = new KickQueue(logger);
  const carriers = createResilientCarriers(
    carrierList,
    {
      timeoutMs: config.SHIPPING_CARRIER_TIMEOUT_MS,
      errorThresholdPercent: config.SHIPPING_CIRCUIT_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.SHIPPING_CIRCUIT_VOLUME_THRESHOLD,
      resetMs: config.SHIPPING_CIRCUIT_RESET_MS,
    },
    logger,
  );
  const app: ShipmentDeps = {
    db: deps.db,
    clock,
    logger,
    carriers,
    orders: deps.orders,
    kicks,
    metrics: createShippingMetrics(deps.metrics),
    retry: {
      maxAttempts: config.SHIPPING_CARRIER_MAX_ATTEMPTS,
      baseMs: config.SHIPPING_CARRIER_RETRY_BASE_MS,
      maxMs: config.SHIPPING_CARRIER_RETRY_MAX_MS,
    },
    // Covers the order lookup and the carrier call (each bounded by the timeout); a crashed
    // try becomes due again after it.
    leaseMs: 2 * config.SHIPPING_CARRIER_TIMEOUT_MS + 5_000,
    batchSize: config.SHIPPING_JOB_BATCH_SIZE,
  };

  const client: ShippingClient = {
    ...createEventHistory(deps.db),
    options: (request, opts) => shippingOptions(rates, request, opts),
    quote: (optionId, request, opts) => quoteOption(rates, optionId, request, opts),
    async shipmentsForOrder(orderId) {
      if (!isUuid(orderId)) return [];
      return shipmentViews(app.db, await shipmentRepository.forOrder(app.db, orderId.toLowerCase()));
    },
  };

  return {
    name: 'shipping',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['shipping.shipment.status_changed', 'shipping.shipment.delivered'],
    routes: async (http) => {
      registerShipmentRoutes(http, app);
      registerShippingOptionRoutes(http, { ...rates, clock });
      await registerCarrierWebhookRoutes(http, app);
      if (!config.isProduction) registerSimcarrierDevRoutes(http, simcarrier);
    },
    consumers: [packageStatusConsumer(app), orderStatusConsumer(app)],
    jobs: [
      shipmentBookingJob(app, config.SHIPPING_SHIPMENT_RETRY_CRON),
      trackingPollJob(app, config.SHIPPING_TRACKING_POLL_CRON),
    ],
    client,
    async stop() {
      await kicks.stop();
      carriers.shutdown();
    },
  };
}
