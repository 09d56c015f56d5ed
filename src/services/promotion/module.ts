import { createReadCache } from '../../platform/cache/read-cache.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import { createPromotion } from './app/admin-promotions.js';
import type { PromotionDeps } from './app/deps.js';
import { quotePromotions } from './app/quote.js';
import { releaseCheckoutUsage, reserveUsage } from './app/usage.js';
import { orderStatusConsumer } from './consumers/order-status.consumer.js';
import { normalizeCode, type PromotionClient } from './contract/client.js';
import { promotionRepository } from './data/promotion.repository.js';
import type { PromotionDB } from './data/tables.js';
import type { SegmentLookup } from './domain/ports.js';
import { registerPromotionRoutes } from './http/promotion.routes.js';

export type PromotionModuleDeps = PlatformDeps<PromotionDB> & {
  /** Customer segments for segment conditions; without it such promotions are refused (400). */
  segments?: SegmentLookup | undefined;
};

/**
 * The promotion service's composition root (04-services.md "promotion", docs/promotions.md):
 * rules as data with admin CRUD and stats; ONE quote per cart evaluation; usage reserved by the
 * checkout saga and released by its compensation (client), confirmed or released by the order's
 * lifecycle events (consumer); `promotion.usage.changed` on every move.
 */
export function createPromotionModule(deps: PromotionModuleDeps): ServiceModule<PromotionClient> {
  const app: PromotionDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    fixedMaxAmount: BigInt(deps.config.PROMOTION_FIXED_MAX_AMOUNT),
    segments: deps.segments,
    rulesCache: createReadCache({
      ttlSeconds: deps.config.PROMOTION_RULES_CACHE_TTL_SECONDS,
      maxEntries: 1000,
    }),
  };
  const client: PromotionClient = {
    ...createEventHistory(deps.db),
    quote: (ctx, request, opts) => quotePromotions(ctx, app, request, opts),
    knownCodes: (codes) => promotionRepository.liveCodes(app.db, [...new Set(codes.map(normalizeCode))]),
    reserve: (ctx, request) => reserveUsage(ctx, app, request),
    release: async (_ctx, orderId, reason) => {
      await releaseCheckoutUsage(app, orderId, reason);
    },
    async createPromotion(ctx, input) {
      const row = await createPromotion(ctx, app, {
        code: input.code === undefined ? null : normalizeCode(input.code),
        name: input.name,
        type: input.type,
        value: input.value,
        currency: input.currency ?? null,
        buyQuantity: null,
        getQuantity: null,
        conditions: input.conditions ?? {},
        usageLimit: null,
        perCustomerLimit: null,
        budget: null,
        startsAt: null,
        endsAt: null,
        stackable: input.stackable ?? false,
        priority: input.priority ?? 0,
      });
      return { id: row.id };
    },
  };
  return {
    name: 'promotion',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['promotion.usage.changed'],
    routes: (http) => registerPromotionRoutes(http, app),
    consumers: [orderStatusConsumer(app)],
    client,
  };
}
