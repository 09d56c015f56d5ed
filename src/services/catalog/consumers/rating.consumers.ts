import { sql, type Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { CatalogDB } from '../data/tables.js';

type Tx = Transaction<CatalogDB>;

/** Adds (+1) or takes (-1) one rating from the product's counts. */
async function count(tx: Tx, productId: string, rating: number, delta: 1 | -1, now: Date): Promise<void> {
  const stars = `stars_${rating}` as 'stars_1';
  await tx
    .insertInto('product_ratings')
    .values({ product_id: productId, updated_at: now })
    .onConflict((oc) => oc.column('product_id').doNothing())
    .execute();
  await tx
    .updateTable('product_ratings')
    .set({
      count: sql`count + ${delta}`,
      rating_sum: sql`rating_sum + ${delta * rating}`,
      [stars]: sql`${sql.ref(stars)} + ${delta}`,
      updated_at: now,
    })
    .where('product_id', '=', productId)
    .execute();
}

/**
 * The rating summary of each product, from the review service's events. Idempotent twice over:
 * the inbox drops a redelivered event, and the per-review row makes a re-published one (a new
 * event id) change nothing — a review counts at most once, and never again once removed.
 */
export const ratingConsumers = (clock: Clock) => [
  defineConsumer<'review.review.published', CatalogDB>({
    subscription: 'catalog.review-published',
    topic: 'review.review.published',
    async handle(tx, event) {
      const { reviewId, productId, rating } = event.data;
      const added = await tx
        .insertInto('review_ratings')
        .values({ review_id: reviewId, product_id: productId, rating, visible: true })
        .onConflict((oc) => oc.column('review_id').doNothing())
        .returning('review_id')
        .executeTakeFirst();
      if (added) await count(tx, productId, rating, 1, clock.now());
    },
  }),
  defineConsumer<'review.review.removed', CatalogDB>({
    subscription: 'catalog.review-removed',
    topic: 'review.review.removed',
    async handle(tx, event) {
      const { reviewId, productId, rating } = event.data;
      const before = await tx
        .selectFrom('review_ratings')
        .select(['visible', 'rating'])
        .where('review_id', '=', reviewId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) {
        await tx
          .insertInto('review_ratings')
          .values({ review_id: reviewId, product_id: productId, rating, visible: false })
          .execute();
        return;
      }
      if (!before.visible) return;
      await tx
        .updateTable('review_ratings')
        .set({ visible: false })
        .where('review_id', '=', reviewId)
        .execute();
      await count(tx, productId, before.rating, -1, clock.now());
    },
  }),
];
