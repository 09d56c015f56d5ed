import type { Transaction } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import { isUuid, newId } from '../../../platform/ids.js';
import type { ImportedReview } from '../contract/client.js';
import type { ReviewDB, ReviewRow } from '../data/tables.js';
import { type ReviewStatus, sourcesOf, visibilityChange } from '../domain/review-status.js';
import { screen } from '../domain/screening.js';
import type { ReviewDeps } from './deps.js';

type Tx = Transaction<ReviewDB>;

export interface ReviewInput {
  rating: number;
  title: string;
  body: string;
}

/** Announces a change of what the storefront shows (outbox, same transaction as the change). */
async function announce(tx: Tx, row: ReviewRow, change: 1 | -1 | 0, now: Date): Promise<void> {
  if (change === 0) return;
  await publish(tx, change > 0 ? 'review.review.published' : 'review.review.removed', row.product_id, {
    reviewId: row.id,
    productId: row.product_id,
    rating: row.rating,
    occurredAt: now.toISOString(),
  });
}

async function insertScreened(
  tx: Tx,
  deps: ReviewDeps,
  review: ReviewInput & { productId: string; customerId: string | null; authorName: string | null },
  now: Date,
): Promise<ReviewRow | undefined> {
  const otherBodies = review.customerId
    ? (
        await tx.selectFrom('reviews').select('body').where('customer_id', '=', review.customerId).execute()
      ).map((r) => r.body)
    : [];
  const reasons = screen({ ...review, bannedWords: deps.bannedWords, otherBodies });
  const row = await tx
    .insertInto('reviews')
    .values({
      id: newId(),
      product_id: review.productId,
      customer_id: review.customerId,
      author_name: review.authorName,
      verified_purchase: review.customerId !== null,
      rating: review.rating,
      title: review.title,
      body: review.body,
      status: reasons.length > 0 ? 'pending' : 'published',
      screening: JSON.stringify(reasons),
      created_at: now,
      updated_at: now,
    })
    // RV-P1-02: the unique index decides between parallel posts, not a read before the write.
    .onConflict((oc) =>
      oc.columns(['customer_id', 'product_id']).where('customer_id', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) await announce(tx, row, row.status === 'published' ? 1 : 0, now);
  return row;
}

/**
 * A customer's review of a product they received (RV-P1-02): refused without a delivered order
 * containing it (403 not_purchased) and when they reviewed it already (409 already_reviewed).
 * Screening decides `published` or `pending`.
 */
export async function postReview(
  ctx: Ctx,
  deps: ReviewDeps,
  customerId: string,
  productId: string,
  input: ReviewInput,
): Promise<ReviewRow> {
  const authorName = (await deps.authors?.firstName(customerId))?.slice(0, 100) || null;
  const now = deps.clock.now();
  const row = await transaction(deps.db, async (tx) => {
    const bought = await tx
      .selectFrom('purchases')
      .select('order_id')
      .where('customer_id', '=', customerId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    if (!bought)
      throw new AppError(
        'forbidden',
        'not_purchased',
        'Only a customer who received this product in a delivered order may review it',
      );
    const inserted = await insertScreened(tx, deps, { ...input, productId, customerId, authorName }, now);
    if (!inserted) throw conflict('You have already reviewed this product', 'already_reviewed');
    return inserted;
  });
  ctx.logger.info({ reviewId: row.id, productId, status: row.status }, 'review posted');
  return row;
}

/** An imported review (demo store): no purchase behind it, screened like any other. */
export async function importReview(ctx: Ctx, deps: ReviewDeps, review: ImportedReview): Promise<ReviewRow> {
  const now = deps.clock.now();
  const row = await transaction(deps.db, (tx) =>
    insertScreened(tx, deps, { ...review, customerId: null, authorName: review.authorName }, now),
  );
  ctx.logger.info({ reviewId: row!.id, productId: review.productId, status: row!.status }, 'review imported');
  return row!;
}

/**
 * Moves a review to `to` if the transition table allows it from its current status: one
 * conditional UPDATE, so two moderators acting at once cannot both win. `owner` restricts it to
 * the author's own review (G9: anyone else's is 404, as if it did not exist).
 */
export async function moveReview(
  ctx: Ctx,
  deps: ReviewDeps,
  reviewId: string,
  to: ReviewStatus,
  options: { reason?: string; owner?: string } = {},
): Promise<ReviewRow> {
  if (!isUuid(reviewId)) throw notFound('Review', reviewId.slice(0, 64));
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    let current = tx.selectFrom('reviews').selectAll().where('id', '=', reviewId);
    if (options.owner) current = current.where('customer_id', '=', options.owner);
    const before = await current.forUpdate().executeTakeFirst();
    if (!before) throw notFound('Review', reviewId);
    if (!sourcesOf(to).includes(before.status))
      throw conflict(`A ${before.status} review cannot become ${to}`, 'invalid_transition');
    const moderated = options.owner === undefined;
    const row = await tx
      .updateTable('reviews')
      .set({
        status: to,
        updated_at: now,
        ...(moderated
          ? { moderated_by: actorId(ctx), moderated_at: now, moderation_reason: options.reason ?? null }
          : {}),
      })
      .where('id', '=', reviewId)
      .where('status', '=', before.status)
      .returningAll()
      .executeTakeFirstOrThrow();
    await announce(tx, row, visibilityChange(before.status, to), now);
    ctx.logger.info({ reviewId, from: before.status, to }, 'review status changed');
    return row;
  });
}
