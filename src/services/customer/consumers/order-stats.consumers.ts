import type { Clock } from '../../../platform/clock.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import { applyOrderFact, statusFact } from '../app/order-stats.js';
import type { CustomerDB } from '../data/tables.js';

/**
 * Order statistics from the lifecycle (spec: customer, C11, C14). Each runs through the inbox, and
 * each fact is applied once per (order, kind) on top of that, so a redelivered or re-published
 * event (a new envelope id for the same fact) changes nothing (G4).
 */
export const orderStatsConsumers = (clock: Clock) => [
  defineConsumer<'orders.order.status_changed', CustomerDB>({
    subscription: 'customer.order-stats',
    topic: 'orders.order.status_changed',
    accepts: (event) => statusFact(event.data) !== undefined,
    async handle(tx, event) {
      const fact = statusFact(event.data);
      if (fact) await applyOrderFact(tx, fact, clock.now());
    },
  }),
  defineConsumer<'payments.refund.completed', CustomerDB>({
    subscription: 'customer.refund-stats',
    topic: 'payments.refund.completed',
    async handle(tx, event) {
      const { orderId, refundId, amount } = event.data;
      // The refund event has no customer id: the order's status events bring it (in any order).
      await applyOrderFact(
        tx,
        {
          orderId,
          kind: `refund:${refundId}`,
          customerId: null,
          currency: amount.currency,
          total: null,
          deliveredAt: null,
          cancelled: false,
          fullyReversed: false,
          refunded: BigInt(amount.amount),
          returns: 0,
        },
        clock.now(),
      );
    },
  }),
  defineConsumer<'orders.return.completed', CustomerDB>({
    subscription: 'customer.return-stats',
    topic: 'orders.return.completed',
    async handle(tx, event) {
      const { orderId, returnId, customerId } = event.data;
      await applyOrderFact(
        tx,
        {
          orderId,
          kind: `return:${returnId}`,
          customerId,
          currency: null,
          total: null,
          deliveredAt: null,
          cancelled: false,
          fullyReversed: false,
          refunded: 0n,
          returns: 1,
        },
        clock.now(),
      );
    },
  }),
];
