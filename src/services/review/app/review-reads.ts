import type { Kysely } from 'kysely';
import { type Rating, type RatingSummary, summarize } from '../contract/rating-summary.js';
import type { ReviewDB, ReviewRow } from '../data/tables.js';
import { ANONYMOUS_AUTHOR } from '../domain/review.js';
import type { ReviewStatus } from '../domain/review-status.js';

/** A review as the storefront shows it: no customer id, the author by first name or "a customer". */
export const publicView = (r: ReviewRow) => ({
  id: r.id,
  productId: r.product_id,
  rating: r.rating,
  title: r.title,
  body: r.body,
  author: r.author_name ?? ANONYMOUS_AUTHOR,
  verifiedPurchase: r.verified_purchase,
  createdAt: r.created_at.toISOString(),
});

/** What the author and moderators see besides: status and why screening or a moderator decided. */
export const fullView = (r: ReviewRow) => ({
  ...publicView(r),
  status: r.status,
  screening: r.screening,
  moderationReason: r.moderation_reason,
  moderatedAt: r.moderated_at?.toISOString() ?? null,
});

/** The product's published reviews, newest first, one page after `beforeId`. */
export async function publishedPage(
  db: Kysely<ReviewDB>,
  productId: string,
  page: { limit: number; beforeId?: string | undefined },
): Promise<{ items: ReviewRow[]; lastId: string | null }> {
  let q = db
    .selectFrom('reviews')
    .selectAll()
    .where('product_id', '=', productId)
    .where('status', '=', 'published');
  if (page.beforeId) q = q.where('id', '<', page.beforeId);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  return { items, lastId: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** The moderation queue: reviews in `status`, oldest first, one page after `afterId`. */
export async function queuePage(
  db: Kysely<ReviewDB>,
  status: ReviewStatus,
  page: { limit: number; afterId?: string | undefined },
): Promise<{ items: ReviewRow[]; lastId: string | null }> {
  let q = db.selectFrom('reviews').selectAll().where('status', '=', status);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  const rows = await q
    .orderBy('id', 'asc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  return { items, lastId: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** The product's summary, recounted from its published reviews (one grouped query). */
export async function ratingSummary(db: Kysely<ReviewDB>, productId: string): Promise<RatingSummary> {
  const rows = await db
    .selectFrom('reviews')
    .select(['rating', (eb) => eb.fn.countAll<string>().as('n')])
    .where('product_id', '=', productId)
    .where('status', '=', 'published')
    .groupBy('rating')
    .execute();
  return summarize(Object.fromEntries(rows.map((r) => [r.rating as Rating, Number(r.n)])));
}
