import type { Clock } from '../../../platform/clock.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { LoyaltySettings } from '../app/deps.js';
import { customerOfOrder, earnForOrder, lockAccount, reverseForOrder } from '../app/ledger.js';
import { releaseRedemption } from '../app/redemption.js';
import type { LoyaltyDB } from '../data/tables.js';

/** Statuses a delivered order reaches: each implies the delivery that earns (reordering, G6). */
const EARNS = new Set(['delivered', 'completed', 'return_requested', 'partially_returned']);
/** The earning no longer stands. */
const REVERSES = new Set(['cancelled', 'refunded', 'returned']);

/**
 * Loyalty's subscriptions, each through the inbox; earnings and reversals are also idempotent
 * per (order, kind) in the ledger, so re-published events (new envelope ids) change nothing (G4).
 */
export const loyaltyConsumers = (settings: LoyaltySettings, clock: Clock) => [
  defineConsumer<'customer.created', LoyaltyDB>({
    subscription: 'loyalty.customer-created',
    topic: 'customer.created',
    async handle(tx, event) {
      await lockAccount(tx, event.data.customerId, clock.now(), true);
    },
  }),
  defineConsumer<'customer.deleted', LoyaltyDB>({
    subscription: 'loyalty.customer-deleted',
    topic: 'customer.deleted',
    async handle(tx, event) {
      // G10: the history goes; the account stays as a tombstone (an id and zeros) so that late
      // order events never re-open it.
      const now = clock.now();
      const { customerId } = event.data;
      await tx.deleteFrom('transactions').where('customer_id', '=', customerId).execute();
      await tx
        .insertInto('accounts')
        .values({ customer_id: customerId, created_at: now, updated_at: now, erased_at: now })
        .onConflict((oc) =>
          oc.column('customer_id').doUpdateSet({
            balance: 0n,
            lifetime_points: 0n,
            shortfall: 0n,
            last_earned_at: null,
            erased_at: now,
            updated_at: now,
          }),
        )
        .execute();
    },
  }),
  defineConsumer<'orders.order.status_changed', LoyaltyDB>({
    subscription: 'loyalty.order-status',
    topic: 'orders.order.status_changed',
    // Guests collect no points; other statuses change nothing (`cancelled` is in REVERSES).
    accepts: ({ data }) =>
      data.customerId !== null && (EARNS.has(data.newStatus) || REVERSES.has(data.newStatus)),
    async handle(tx, event) {
      const { orderId, newStatus, total } = event.data;
      const customerId = event.data.customerId!;
      const now = clock.now();
      if (EARNS.has(newStatus))
        await earnForOrder(
          tx,
          settings,
          { orderId, customerId, total: BigInt(total.amount), currency: total.currency },
          now,
        );
      else if (REVERSES.has(newStatus))
        await reverseForOrder(tx, { orderId, customerId, reason: newStatus }, now);
      // A cancelled order gives back the points it was paid with (once; none held: nothing).
      if (newStatus === 'cancelled') await releaseRedemption(tx, orderId, 'order_cancelled', now);
    },
  }),
  defineConsumer<'payments.refund.completed', LoyaltyDB>({
    subscription: 'loyalty.refund-completed',
    topic: 'payments.refund.completed',
    async handle(tx, event) {
      // A full refund takes the order's points back even if its status event is delayed; the
      // status event (refunded / returned) does the same, whichever comes first wins (once).
      const { orderId, fullyRefunded } = event.data;
      if (!fullyRefunded) return;
      const customerId = await customerOfOrder(tx, orderId);
      if (customerId) await reverseForOrder(tx, { orderId, customerId, reason: 'refunded' }, clock.now());
    },
  }),
];
