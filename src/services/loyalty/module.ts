import { transaction } from '../../platform/eventing/index.js';
import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { LoyaltyDeps } from './app/deps.js';
import { redeem, releaseRedemption } from './app/redemption.js';
import { loyaltyConsumers } from './consumers/loyalty.consumers.js';
import type { LoyaltyClient } from './contract/client.js';
import type { LoyaltyDB } from './data/tables.js';
import { parseTiers, tierFor } from './domain/tiers.js';
import { registerLoyaltyRoutes } from './http/loyalty.routes.js';
import { pointsExpiryJob } from './jobs/points-expiry.job.js';

/**
 * Composition root of the loyalty service (docs/loyalty.md): accounts, earning and reversal from
 * the order lifecycle, expiry, erasure, the customer's and the admin's views.
 */
export function createLoyaltyModule(deps: PlatformDeps<LoyaltyDB>): ServiceModule<LoyaltyClient> {
  const { config } = deps;
  const app: LoyaltyDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    settings: {
      tiers: parseTiers(config.LOYALTY_TIERS),
      pointsPerUnit: config.LOYALTY_POINTS_PER_UNIT,
      expiryDays: config.LOYALTY_POINTS_EXPIRY_DAYS,
      batchSize: config.LOYALTY_JOB_BATCH_SIZE,
      pointValueMinor: config.LOYALTY_POINT_VALUE_MINOR,
    },
  };
  const client: LoyaltyClient = {
    ...createEventHistory(deps.db),
    async balanceOf(customerId) {
      const a = isUuid(customerId)
        ? await app.db
            .selectFrom('accounts')
            .selectAll()
            .where('customer_id', '=', customerId)
            .where('erased_at', 'is', null)
            .executeTakeFirst()
        : undefined;
      const lifetime = BigInt(a?.lifetime_points ?? '0');
      return {
        customerId,
        balance: Number(a?.balance ?? 0),
        lifetimePoints: Number(lifetime),
        tier: tierFor(app.settings.tiers, lifetime).name,
      };
    },
    redeem: (ctx, input) => redeem(ctx, app, input),
    async releaseRedemption(ctx, orderId, reason) {
      if (!isUuid(orderId)) return;
      const released = await transaction(app.db, (tx) =>
        releaseRedemption(tx, orderId, reason, app.clock.now()),
      );
      if (released) ctx.logger.info({ orderId, reason }, 'loyalty redemption released');
    },
  };
  return {
    name: 'loyalty',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['loyalty.points.changed'],
    consumers: loyaltyConsumers(app.settings, app.clock),
    // Expiry off (0 days) means no job at all rather than one that does nothing.
    jobs: app.settings.expiryDays > 0 ? [pointsExpiryJob(app, config.LOYALTY_EXPIRY_CRON)] : [],
    routes: (http) => registerLoyaltyRoutes(http, app),
    client,
  };
}
