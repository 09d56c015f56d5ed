import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { CustomerClient } from '../customer/contract/client.js';
import type { ReviewDeps } from './app/deps.js';
import { importReview } from './app/reviews.js';
import { reviewConsumers } from './consumers/review.consumers.js';
import type { ReviewClient } from './contract/client.js';
import type { ReviewDB } from './data/tables.js';
import { parseBannedWords } from './domain/screening.js';
import { registerReviewRoutes } from './http/review.routes.js';

export type ReviewModuleDeps = PlatformDeps<ReviewDB> & {
  /** The customer service's client when it runs in this process: authors shown by first name. */
  customers?: Pick<CustomerClient, 'contacts'> | undefined;
};

/**
 * Composition root of the review service (docs/reviews.md): purchase-verified reviews, automatic
 * screening, the moderation queue, the public list with its rating summary, erasure.
 */
export function createReviewModule(deps: ReviewModuleDeps): ServiceModule<ReviewClient> {
  const customers = deps.customers;
  const app: ReviewDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    bannedWords: parseBannedWords(deps.config.REVIEW_BANNED_WORDS),
    authors: customers
      ? { firstName: async (id) => (await customers.contacts([id]))[0]?.firstName ?? undefined }
      : undefined,
  };
  return {
    name: 'review',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['review.review.published', 'review.review.removed'],
    consumers: reviewConsumers(deps.clock),
    routes: (http) => registerReviewRoutes(http, app),
    client: {
      ...createEventHistory(deps.db),
      async importReview(ctx, review) {
        const row = await importReview(ctx, app, review);
        return { id: row.id, status: row.status === 'published' ? 'published' : 'pending' };
      },
    },
  };
}
