import type { Clock } from '../../../platform/clock.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { ReviewDB } from '../data/tables.js';
import { DELIVERED_STATUSES } from '../domain/review.js';

/**
 * The review service's subscriptions, each through the inbox. Purchases are idempotent by their
 * key (customer, product), so a redelivered or re-published delivery changes nothing (G4).
 */
export const reviewConsumers = (clock: Clock) => [
  defineConsumer<'orders.order.status_changed', ReviewDB>({
    subscription: 'review.order-delivered',
    topic: 'orders.order.status_changed',
    // Guests cannot review; only a received order proves a purchase (RV-P1-02).
    accepts: ({ data }) =>
      data.customerId !== null &&
      DELIVERED_STATUSES.has(data.newStatus) &&
      data.items.some((i) => i.productId),
    async handle(tx, event) {
      const customerId = event.data.customerId!;
      const erased = await tx
        .selectFrom('erased_customers')
        .select('customer_id')
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      if (erased) return;
      const products = [...new Set(event.data.items.flatMap((i) => (i.productId ? [i.productId] : [])))];
      await tx
        .insertInto('purchases')
        .values(
          products.map((productId) => ({
            customer_id: customerId,
            product_id: productId,
            order_id: event.data.orderId,
            delivered_at: new Date(event.data.occurredAt),
          })),
        )
        .onConflict((oc) => oc.columns(['customer_id', 'product_id']).doNothing())
        .execute();
    },
  }),
  defineConsumer<'customer.deleted', ReviewDB>({
    subscription: 'review.customer-deleted',
    topic: 'customer.deleted',
    async handle(tx, event, ctx) {
      // G10: the reviews stay (they are the store's content and count in the summary), their
      // authorship goes: no customer id, no name ("a customer"). The purchases go too.
      const now = clock.now();
      const { customerId } = event.data;
      const anonymized = await tx
        .updateTable('reviews')
        .set({ customer_id: null, author_name: null, updated_at: now })
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      await tx.deleteFrom('purchases').where('customer_id', '=', customerId).execute();
      await tx
        .insertInto('erased_customers')
        .values({ customer_id: customerId, erased_at: now })
        .onConflict((oc) => oc.column('customer_id').doNothing())
        .execute();
      ctx.logger.info({ customerId, reviews: Number(anonymized.numUpdatedRows) }, 'review authorship erased');
    },
  }),
];
